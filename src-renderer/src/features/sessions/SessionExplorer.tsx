/** Left side bar: the sessions, newest first, with their state; create, rename, delete. */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { InlineRename } from '../../ui/InlineRename';
import { getApi } from '../../platform/apiRef';
import { formatDateTime, formatShort } from '../../ui/format';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { EditIcon, PlusIcon, TrashIcon } from '../../ui/icons';
import { closeRecording, RecordingsSection } from '../recordings';
import { isLive } from './actions';
import { deleteSession, renameSession } from './commands';
import { NewSessionForm } from './NewSessionForm';
import { useSessions } from './sessionsStore';
import { StateBadge, StateDot } from './StateBadge';

export function SessionExplorer() {
  const order = useSessions((s) => s.order);
  const loaded = useSessions((s) => s.loaded);
  const [creating, setCreating] = useState(false);
  const [renamingId, setRenamingId] = useState<string | null>(null);
  const [deletingId, setDeletingId] = useState<string | null>(null);
  const deleting = useSessions((s) => (deletingId ? s.byId[deletingId] : undefined));

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    if (renamingId) return;
    const st = useSessions.getState();
    const idx = st.selectedId ? st.order.indexOf(st.selectedId) : -1;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = st.order[Math.max(0, Math.min(st.order.length - 1, idx + (e.key === 'ArrowDown' ? 1 : -1)))];
      if (next) st.select(next);
    } else if (e.key === 'F2' && st.selectedId) {
      e.preventDefault();
      setRenamingId(st.selectedId);
    } else if (e.key === 'Delete' && st.selectedId && !isLive(st.byId[st.selectedId]?.state)) {
      e.preventDefault();
      setDeletingId(st.selectedId);
    }
  };

  return (
    <div className="explorer">
      <div className="pane-header">
        <span className="pane-title">Sessions</span>
        <button className="btn btn-small" data-testid="new-session" title="New session" onClick={() => setCreating(true)}>
          <PlusIcon size={14} />
          New session
        </button>
      </div>
      {creating && <NewSessionForm onDone={() => setCreating(false)} />}
      {loaded && order.length === 0 && !creating && (
        <div className="empty-note">
          No sessions yet. A session is one virtual board: create one, then start it to boot Linux.
        </div>
      )}
      {!loaded && <div className="empty-note">Loading sessions…</div>}
      <ul className="session-list" role="listbox" aria-label="Sessions" tabIndex={0} onKeyDown={onListKey}>
        {order.map((id) => (
          <SessionRow
            key={id}
            id={id}
            renaming={renamingId === id}
            onRename={() => setRenamingId(id)}
            onRenameDone={() => setRenamingId(null)}
            onDelete={() => setDeletingId(id)}
          />
        ))}
      </ul>
      {deleting && (
        <ConfirmDialog
          title="Delete session"
          confirmLabel="Delete"
          danger
          onCancel={() => setDeletingId(null)}
          onConfirm={() => {
            setDeletingId(null);
            void deleteSession(getApi(), deleting.id);
          }}
        >
          Delete <b>{deleting.name}</b>? Its console transcript and history are deleted too. This cannot be undone.
        </ConfirmDialog>
      )}
      <RecordingsSection />
    </div>
  );
}

function SessionRow(props: {
  id: string;
  renaming: boolean;
  onRename: () => void;
  onRenameDone: () => void;
  onDelete: () => void;
}) {
  const s = useSessions((st) => st.byId[props.id]);
  const selected = useSessions((st) => st.selectedId === props.id);
  const rowRef = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (selected) rowRef.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  if (!s) return null;
  const live = isLive(s.state);
  return (
    <li
      ref={rowRef}
      className={`session-item${selected ? ' selected' : ''}`}
      role="option"
      aria-selected={selected}
      data-testid="session-item"
      data-session-id={s.id}
      data-state={s.state}
      title={`${s.name} (${s.id})\nboard: ${s.board}\ncreated: ${formatDateTime(s.createdAt)}`}
      onClick={() => {
        useSessions.getState().select(s.id);
        closeRecording();
      }}
      onDoubleClick={props.onRename}
    >
      <StateDot state={s.state} />
      <div className="session-main">
        {props.renaming ? (
          <RenameInput id={s.id} initial={s.name} onDone={props.onRenameDone} />
        ) : (
          <div className="session-name">{s.name}</div>
        )}
        <div className="session-meta">
          {s.board} · {formatShort(s.createdAt)}
          {s.runs > 0 ? ` · ${s.runs} run${s.runs === 1 ? '' : 's'}` : ''}
        </div>
      </div>
      <StateBadge state={s.state} />
      <div className="row-actions">
        <button
          className="icon-button"
          data-testid="session-rename"
          title="Rename (F2)"
          aria-label={`Rename ${s.name}`}
          onClick={(e) => {
            e.stopPropagation();
            props.onRename();
          }}
        >
          <EditIcon size={14} />
        </button>
        <button
          className="icon-button"
          data-testid="session-delete"
          title={live ? 'Stop the session before deleting it' : 'Delete (Del)'}
          aria-label={`Delete ${s.name}`}
          disabled={live}
          onClick={(e) => {
            e.stopPropagation();
            props.onDelete();
          }}
        >
          <TrashIcon size={14} />
        </button>
      </div>
    </li>
  );
}

function RenameInput({ id, initial, onDone }: { id: string; initial: string; onDone: () => void }) {
  return <InlineRename initial={initial} maxLength={80} testId="session-rename-input" onCommit={(name) => void renameSession(getApi(), id, name)} onDone={onDone} />;
}
