/**
 * The guest's files through the target agent: path bar with breadcrumbs, a sortable listing,
 * double-click to enter a directory, Upload / Download / Delete / Refresh. Unavailable (with the
 * reason) while the VM is not running or the agent is not connected.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SessionSummary } from '../../../../src-shared/contract';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { formatDateTime } from '../../ui/format';
import {
  ArrowUpIcon,
  CloseIcon,
  DownloadIcon,
  ErrorIcon,
  FileIcon,
  FolderIcon,
  InfoIcon,
  LinkIcon,
  RefreshIcon,
  TrashIcon,
  UploadIcon,
} from '../../ui/icons';
import { useAgentReady } from '../processes/agentStatus';
import { files } from './filesBackend';
import { emptyView, useFiles, type Transfer } from './filesStore';
import { breadcrumbs, formatMode, formatSize, isDirLike, isExecutable, joinPath, nextSort, sortEntries, type FileEntry, type SortKey } from './paths';
import './files.css';

const COLUMNS: { key: SortKey; label: string; className: string }[] = [
  { key: 'name', label: 'Name', className: 'col-name' },
  { key: 'size', label: 'Size', className: 'col-size' },
  { key: 'mode', label: 'Mode', className: 'col-mode' },
  { key: 'mtime', label: 'Modified', className: 'col-mtime' },
];

export function FilesPane({ session }: { session: SessionSummary }) {
  const id = session.id;
  const ready = useAgentReady(session);
  const view = useFiles((st) => st.bySession[id]) ?? emptyView();
  const [confirm, setConfirm] = useState<FileEntry | null>(null);
  const [pathText, setPathText] = useState(view.path);
  const fileInput = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => setPathText(view.path), [view.path]);

  // List when the agent becomes usable (and the first time the pane opens).
  useEffect(() => {
    if (ready.ok) void files.refresh(id);
  }, [id, ready.ok]);

  const sorted = useMemo(() => (view.entries ? sortEntries(view.entries, view.sort) : []), [view.entries, view.sort]);
  const selected = sorted.find((e) => e.name === view.selected) ?? null;
  const busy = view.transfers.some((t) => !t.finished);

  const activate = (e: FileEntry) => {
    if (isDirLike(e) || e.type === 'l') void files.enter(id, e.name);
    else void download(e);
  };

  const download = async (e: FileEntry) => {
    const bytes = await files.download(id, e.name, e.size);
    if (!bytes) return;
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = e.name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  const upload = async (list: FileList | null) => {
    for (const f of Array.from(list ?? [])) {
      const data = new Uint8Array(await f.arrayBuffer());
      await files.upload(id, f.name, data, 0o644);
    }
  };

  const onKey = (e: KeyboardEvent) => {
    if (!ready.ok || (e.target as HTMLElement).tagName === 'INPUT') return;
    const i = sorted.findIndex((x) => x.name === view.selected);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = sorted[Math.max(0, Math.min(sorted.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))];
      if (next) files.select(id, next.name);
    } else if (e.key === 'Enter' && selected) {
      activate(selected);
    } else if (e.key === 'Backspace') {
      e.preventDefault();
      void files.up(id);
    } else if (e.key === 'Delete' && selected) {
      setConfirm(selected);
    }
  };

  useEffect(() => {
    if (!selected) return;
    listRef.current?.querySelector(`[data-name="${CSS.escape(selected.name)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  return (
    <div className="files-pane" data-testid="files-pane" data-ready={ready.ok}>
      <div className="files-toolbar">
        <button className="icon-button" title="Up (Backspace)" aria-label="Up" disabled={!ready.ok || view.path === '/'} onClick={() => void files.up(id)} data-testid="files-up">
          <ArrowUpIcon />
        </button>
        <button className="icon-button" title="Refresh" aria-label="Refresh" disabled={!ready.ok} onClick={() => void files.refresh(id)} data-testid="files-refresh">
          <RefreshIcon className={view.loading ? 'spin' : undefined} />
        </button>
        <form
          className="files-path-form"
          onSubmit={(e) => {
            e.preventDefault();
            void files.open(id, pathText);
          }}
        >
          <input
            className="input files-path"
            data-testid="files-path"
            aria-label="Guest path"
            spellCheck={false}
            value={pathText}
            disabled={!ready.ok}
            onChange={(e) => setPathText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setPathText(view.path);
            }}
          />
        </form>
        <div className="files-actions">
          <button className="btn btn-small" disabled={!ready.ok} onClick={() => fileInput.current?.click()} title="Upload files into this directory" data-testid="files-upload-button">
            <UploadIcon size={13} />
            Upload
          </button>
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="files-upload"
            disabled={!ready.ok}
            onChange={(e) => {
              const list = e.target.files;
              void upload(list).finally(() => {
                e.target.value = '';
              });
            }}
          />
          <button
            className="btn btn-small"
            disabled={!ready.ok || !selected || selected.type !== 'f'}
            onClick={() => selected && void download(selected)}
            title={selected?.type === 'f' ? `Download ${selected.name}` : 'Select a file to download'}
            data-testid="files-download"
          >
            <DownloadIcon size={13} />
            Download
          </button>
          <button
            className="btn btn-small"
            disabled={!ready.ok || !selected}
            onClick={() => selected && setConfirm(selected)}
            title={selected ? `Delete ${selected.name} (Del)` : 'Select a file to delete'}
            data-testid="files-delete"
          >
            <TrashIcon size={13} />
            Delete
          </button>
        </div>
      </div>
      <nav className="files-crumbs" aria-label="Path" data-testid="files-breadcrumbs">
        {breadcrumbs(view.path).map((c, i, all) => (
          <span key={c.path} className="crumb-wrap">
            {i > 1 && <span className="crumb-sep">/</span>}
            <button className={`crumb${i === all.length - 1 ? ' current' : ''}`} disabled={!ready.ok} onClick={() => void files.open(id, c.path)}>
              {c.label}
            </button>
          </span>
        ))}
      </nav>
      {!ready.ok ? (
        <div className="files-unavailable" data-testid="files-unavailable">
          <InfoIcon size={16} />
          <span>{ready.reason}</span>
        </div>
      ) : (
        <>
          {view.error && (
            <div className="files-error" role="alert" data-testid="files-error">
              <ErrorIcon size={14} />
              <span className="files-error-text">{view.error}</span>
              <button className="icon-button" aria-label="Dismiss" onClick={() => files.clearError(id)}>
                <CloseIcon size={12} />
              </button>
            </div>
          )}
          <div className="files-list" ref={listRef} tabIndex={0} onKeyDown={onKey} data-testid="files-list" aria-busy={view.loading}>
            <table className="files-table">
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th
                      key={c.key}
                      className={c.className}
                      aria-sort={view.sort.key === c.key ? (view.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                      onClick={() => files.setSort(id, nextSort(view.sort, c.key))}
                    >
                      {c.label}
                      {view.sort.key === c.key && <span className="sort-mark">{view.sort.dir === 'asc' ? '▲' : '▼'}</span>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {sorted.map((e) => (
                  <tr
                    key={e.name}
                    className={`files-row${e.name === view.selected ? ' selected' : ''}`}
                    data-testid="files-row"
                    data-name={e.name}
                    data-type={e.type}
                    aria-selected={e.name === view.selected}
                    onClick={() => files.select(id, e.name)}
                    onDoubleClick={() => activate(e)}
                    title={joinPath(view.listedPath ?? view.path, e.name)}
                  >
                    <td className="col-name">
                      <EntryIcon entry={e} />
                      <span className="file-name">{e.name}</span>
                    </td>
                    <td className="col-size">{e.type === 'f' ? formatSize(e.size) : ''}</td>
                    <td className="col-mode">
                      <code>{formatMode(e.type, e.mode)}</code>
                    </td>
                    <td className="col-mtime">{formatDateTime(e.mtime * 1000)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {view.entries && view.entries.length === 0 && !view.loading && <div className="empty-note">This directory is empty.</div>}
            {!view.entries && view.loading && <div className="empty-note">Listing {view.path}…</div>}
          </div>
        </>
      )}
      {view.transfers.length > 0 && (
        <div className="files-transfers" data-testid="files-transfers">
          {view.transfers.map((t) => (
            <TransferRow key={t.id} t={t} onDismiss={() => files.dismissTransfer(id, t.id)} />
          ))}
        </div>
      )}
      <div className="files-status">
        {ready.ok && view.entries ? `${view.entries.length} entries in ${view.listedPath}` : ''}
        {busy ? ' · transferring…' : ''}
      </div>
      {confirm && (
        <ConfirmDialog
          title={`Delete ${confirm.name}?`}
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const e = confirm;
            setConfirm(null);
            void files.remove(id, e.name);
            listRef.current?.focus();
          }}
        >
          {joinPath(view.listedPath ?? view.path, confirm.name)} will be removed from the guest
          {confirm.type === 'd' ? ' (a directory must be empty)' : ''}. This cannot be undone.
        </ConfirmDialog>
      )}
    </div>
  );
}

function EntryIcon({ entry }: { entry: FileEntry }) {
  if (entry.type === 'd') return <FolderIcon size={14} className="file-icon dir" />;
  if (entry.type === 'l') return <LinkIcon size={14} className="file-icon link" />;
  return <FileIcon size={14} className={`file-icon${isExecutable(entry) ? ' exec' : ''}${entry.type !== 'f' ? ' special' : ''}`} />;
}

function TransferRow({ t, onDismiss }: { t: Transfer; onDismiss: () => void }) {
  const pct = t.total > 0 ? Math.min(100, Math.round((t.done / t.total) * 100)) : t.finished ? 100 : 0;
  return (
    <div className={`transfer${t.error ? ' failed' : t.finished ? ' done' : ''}`} data-testid="files-transfer" data-state={t.error ? 'failed' : t.finished ? 'done' : 'running'}>
      {t.kind === 'upload' ? <UploadIcon size={13} /> : <DownloadIcon size={13} />}
      <span className="transfer-path">{t.path}</span>
      {t.error ? (
        <span className="transfer-error">{t.error}</span>
      ) : (
        <>
          <span className="progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
            <span className="progress-fill" style={{ width: `${pct}%` }} />
          </span>
          <span className="transfer-size">
            {formatSize(t.done)} / {formatSize(t.total)}
          </span>
        </>
      )}
      {t.finished && (
        <button className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          <CloseIcon size={12} />
        </button>
      )}
    </div>
  );
}
