/** The explorer's Recordings section: import, list, open, export, rename, delete. */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { InlineRename } from '../../ui/InlineRename';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { formatDateTime, formatShort } from '../../ui/format';
import { DownloadIcon, EditIcon, TrashIcon, UploadIcon } from '../../ui/icons';
import { deleteRecording, exportRecording, importRecording, recordingsApi, renameRecording } from './commands';
import { forgetEditor } from './editorSession';
import { useRecordings } from './recordingsStore';
import { formatDurationUs } from './timeline/geometry';

/** Save text as a file through the browser (no Node file access in the renderer). */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function exportToFile(recordingId: string, rev?: number): Promise<void> {
  const r = await exportRecording(recordingsApi(), recordingId, rev);
  if (r) downloadText(r.fileName, r.text);
}

export function RecordingsSection() {
  const order = useRecordings((s) => s.order);
  const loaded = useRecordings((s) => s.loaded);
  const [renamingId, setRenamingId] = useState<string | null>(null);
  const [deletingId, setDeletingId] = useState<string | null>(null);
  const deleting = useRecordings((s) => (deletingId ? s.byId[deletingId] : undefined));
  const fileRef = useRef<HTMLInputElement>(null);

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    if (renamingId) return;
    const st = useRecordings.getState();
    const idx = st.openId ? st.order.indexOf(st.openId) : -1;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = st.order[Math.max(0, Math.min(st.order.length - 1, idx + (e.key === 'ArrowDown' ? 1 : -1)))];
      if (next) st.open(next);
    } else if (e.key === 'F2' && st.openId) {
      e.preventDefault();
      setRenamingId(st.openId);
    } else if (e.key === 'Delete' && st.openId) {
      e.preventDefault();
      setDeletingId(st.openId);
    }
  };

  return (
    <div className="rec-section" data-testid="recordings-section">
      <div className="pane-header">
        <span className="pane-title">Recordings</span>
        <button className="btn btn-small" data-testid="import-recording-button" title="Import a recording file (.btrec.json)" onClick={() => fileRef.current?.click()}>
          <UploadIcon size={14} />
          Import
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".json,.btrec.json,application/json"
          hidden
          data-testid="import-recording"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void file.text().then((text) => importRecording(recordingsApi(), file.name, text));
          }}
        />
      </div>
      {loaded && order.length === 0 && (
        <div className="empty-note" data-testid="recordings-empty">
          No recordings. Press Record in a running session&apos;s toolbar, type, then Stop — or import a file.
        </div>
      )}
      <ul className="rec-list" role="listbox" aria-label="Recordings" tabIndex={0} onKeyDown={onListKey}>
        {order.map((id) => (
          <RecordingRow key={id} id={id} renaming={renamingId === id} onRename={() => setRenamingId(id)} onRenameDone={() => setRenamingId(null)} onDelete={() => setDeletingId(id)} />
        ))}
      </ul>
      {deleting && (
        <ConfirmDialog
          title="Delete recording"
          confirmLabel="Delete"
          danger
          onCancel={() => setDeletingId(null)}
          onConfirm={() => {
            setDeletingId(null);
            void deleteRecording(recordingsApi(), deleting.recordingId).then((ok) => ok && forgetEditor(deleting.recordingId));
          }}
        >
          Delete <b>{deleting.name}</b>? All {deleting.rev} revision{deleting.rev === 1 ? '' : 's'} and the reports of its replays are deleted too. This cannot be undone.
        </ConfirmDialog>
      )}
    </div>
  );
}

function RecordingRow(props: { id: string; renaming: boolean; onRename: () => void; onRenameDone: () => void; onDelete: () => void }) {
  const r = useRecordings((s) => s.byId[props.id]);
  const open = useRecordings((s) => s.openId === props.id);
  const rowRef = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (open) rowRef.current?.scrollIntoView({ block: 'nearest' });
  }, [open]);
  if (!r) return null;
  return (
    <li
      ref={rowRef}
      className={`rec-item${open ? ' selected' : ''}`}
      role="option"
      aria-selected={open}
      data-testid="recording-item"
      data-recording-id={r.recordingId}
      data-rev={r.rev}
      title={`${r.name} (${r.recordingId})\nboard: ${r.board}\ncreated: ${formatDateTime(r.createdAt)}\nrevision ${r.rev}, saved ${formatDateTime(r.updatedAt)}`}
      onClick={() => useRecordings.getState().open(r.recordingId)}
      onDoubleClick={props.onRename}
    >
      <span className="rec-icon" aria-hidden="true" />
      <div className="session-main">
        {props.renaming ? <RenameInput id={r.recordingId} initial={r.name} onDone={props.onRenameDone} /> : <div className="session-name">{r.name}</div>}
        <div className="session-meta">
          {r.events.toLocaleString('en')} events · {formatDurationUs(r.durationUs)} · rev {r.rev} · {formatShort(r.updatedAt)}
        </div>
      </div>
      <div className="row-actions">
        <button
          className="icon-button"
          data-testid="recording-export"
          title="Export to a file"
          aria-label={`Export ${r.name}`}
          onClick={(e) => {
            e.stopPropagation();
            void exportToFile(r.recordingId);
          }}
        >
          <DownloadIcon size={14} />
        </button>
        <button
          className="icon-button"
          data-testid="recording-rename"
          title="Rename (F2)"
          aria-label={`Rename ${r.name}`}
          onClick={(e) => {
            e.stopPropagation();
            props.onRename();
          }}
        >
          <EditIcon size={14} />
        </button>
        <button
          className="icon-button"
          data-testid="recording-delete"
          title="Delete (Del)"
          aria-label={`Delete ${r.name}`}
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
  return <InlineRename initial={initial} maxLength={200} testId="recording-rename-input" onCommit={(name) => void renameRecording(recordingsApi(), id, name)} onDone={onDone} />;
}
