/**
 * The centre view while a recording is open: the Timeline editor (toolbar, canvas, inspector)
 * and the replay controls. The document lives in an EditorSession outside React; this re-renders
 * on edits and selection changes, never per drag frame.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { CloseIcon, DownloadIcon } from '../../ui/icons';
import { importRecording, recordingsApi } from './commands';
import { editorFor, type EditorSession } from './editorSession';
import { Inspector } from './Inspector';
import { ConsoleInsert, KeyPicker, type PopoverAt } from './Pickers';
import { useRecordings } from './recordingsStore';
import { exportToFile } from './RecordingsSection';
import { ReplayPanel } from './ReplayPanel';
import { formatDurationUs } from './timeline/geometry';
import { durationUs, GRID_CHOICES_US, type Timeline } from './timeline/model';
import { TimelineView } from './timeline/timelineView';
import './recordings.css';

function useTimelineState(tl: Timeline): number {
  return useSyncExternalStore(
    useCallback((fn) => tl.subscribe(fn), [tl]),
    () => tl.stateVersion,
  );
}

const gridLabel = (us: number) => (us === 0 ? 'off' : `${us / 1000} ms`);

export function RecordingEditor({ recordingId }: { recordingId: string }) {
  const editor = useMemo(() => editorFor(recordingsApi(), recordingId), [recordingId]);
  const status = useStore(editor.status);
  useEffect(() => {
    if (!editor.loaded && !editor.status.getState().loading) void editor.load();
  }, [editor]);

  if (!editor.loaded) {
    return (
      <div className="rec-editor" data-testid="recording-editor" data-recording-id={recordingId} data-loaded="false">
        <div className="rec-loading">
          {status.loadError ? (
            <div className="rec-error" role="alert" data-testid="recording-load-error">
              Cannot open the recording: {status.loadError}{' '}
              <button className="btn btn-small" onClick={() => void editor.load()}>
                Retry
              </button>
            </div>
          ) : (
            <span className="muted">Loading the recording…</span>
          )}
        </div>
      </div>
    );
  }
  return <LoadedEditor key={recordingId} editor={editor} />;
}

function LoadedEditor({ editor }: { editor: EditorSession }) {
  const tl = editor.timeline;
  useTimelineState(tl);
  const status = useStore(editor.status);
  const summary = useRecordings((s) => s.byId[editor.recordingId]);
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<TimelineView | null>(null);
  const [cursorUs, setCursorUs] = useState(0);
  const [keyAt, setKeyAt] = useState<PopoverAt | null>(null);
  const [consoleAt, setConsoleAt] = useState<PopoverAt | null>(null);
  const [pendingRev, setPendingRev] = useState<number | null>(null);

  useEffect(() => {
    const view = new TimelineView(hostRef.current!, tl, {
      onCursor: setCursorUs,
      onInsertKey: (tUs, at) => setKeyAt({ tUs, ...at }),
      onInsertConsole: (tUs, at) => setConsoleAt({ tUs, ...at }),
    });
    viewRef.current = view;
    setCursorUs(view.cursor);
    return () => {
      view.destroy();
      viewRef.current = null;
    };
  }, [tl]);

  const dirty = editor.dirty;
  const doc = tl.doc;
  const latest = summary?.rev ?? status.rev ?? 1;
  const elsewhere = status.baseRev !== null && latest > status.baseRev;
  const popAtCursor = (): PopoverAt => {
    const r = hostRef.current!.getBoundingClientRect();
    return { tUs: cursorUs, clientX: r.left + 120, clientY: r.top + 40 };
  };
  const loadRev = (rev: number) => {
    if (dirty) setPendingRev(rev);
    else void editor.load(rev);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const t = e.target as HTMLElement;
    if (t.closest('input, textarea, select, [role="dialog"]') || t === viewRef.current?.canvas) return;
    if (viewRef.current?.handleKey(e.nativeEvent)) e.preventDefault();
  };

  return (
    <div
      className="rec-editor"
      data-testid="recording-editor"
      data-recording-id={editor.recordingId}
      data-loaded="true"
      data-dirty={dirty}
      data-rev={status.rev ?? ''}
      onKeyDown={onKeyDown}
      onKeyDownCapture={(e) => {
        // Ctrl+S saves from anywhere in the editor, the canvas included.
        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
          e.preventDefault();
          e.stopPropagation();
          void editor.save();
        }
      }}
    >
      <div className="toolbar rec-toolbar" role="toolbar" aria-label="Timeline">
        <div className="toolbar-title">
          <span className="toolbar-name" title={`${summary?.name ?? ''} (${editor.recordingId})`} data-testid="recording-title">
            {summary?.name ?? editor.recordingId}
          </span>
          {dirty && (
            <span className="badge tone-warn" data-testid="timeline-dirty">
              edited
            </span>
          )}
        </div>
        <div className="rec-tools">
          <label className="mon-field" title="Revision shown (each save is a new one; 1 is as recorded)">
            <span>Rev</span>
            <select className="input input-small" data-testid="timeline-rev" value={status.rev ?? ''} disabled={status.loading} onChange={(e) => loadRev(Number(e.target.value))}>
              {Array.from({ length: latest }, (_, i) => latest - i).map((rev) => (
                <option key={rev} value={rev}>
                  {rev}
                  {rev === latest ? ' (latest)' : rev === 1 ? ' (recorded)' : ''}
                </option>
              ))}
            </select>
          </label>
          <button
            className="btn btn-small btn-primary"
            data-testid="timeline-save"
            disabled={!dirty || status.saving}
            title={`Save as revision ${(status.baseRev ?? 0) + 1} (Ctrl+S)`}
            onClick={() => void editor.save()}
          >
            {status.saving ? 'Saving…' : 'Save as new revision'}
          </button>
          <span className="rec-sep" />
          <button className="tool-button" data-testid="timeline-undo" disabled={!tl.undoCount} title={tl.undoLabel ? `Undo ${tl.undoLabel} (Ctrl+Z)` : 'Nothing to undo'} onClick={() => tl.undo()}>
            Undo <span className="rec-count" data-count={tl.undoCount}>{tl.undoCount}</span>
          </button>
          <button className="tool-button" data-testid="timeline-redo" disabled={!tl.redoCount} title={tl.redoLabel ? `Redo ${tl.redoLabel} (Ctrl+Shift+Z, Ctrl+Y)` : 'Nothing to redo'} onClick={() => tl.redo()}>
            Redo <span className="rec-count" data-count={tl.redoCount}>{tl.redoCount}</span>
          </button>
          <span className="rec-sep" />
          <SpeedField tl={tl} />
          <label className="mon-field" title="Grid: dragging snaps to it, the arrows nudge by one step">
            <span>Grid</span>
            <select className="input input-small" data-testid="timeline-grid" value={tl.gridUs} onChange={(e) => tl.setGrid(Number(e.target.value))}>
              {GRID_CHOICES_US.map((g) => (
                <option key={g} value={g}>
                  {gridLabel(g)}
                </option>
              ))}
            </select>
          </label>
          <button className="tool-button" data-testid="timeline-fit" title="Show the whole recording (F)" onClick={() => viewRef.current?.fit()}>
            Fit
          </button>
          <span className="rec-stats">
            <span data-testid="timeline-event-count" data-count={doc.events.length}>
              {doc.events.length.toLocaleString('en')} events
            </span>
            {' · '}
            <span data-testid="timeline-duration">{formatDurationUs(durationUs(doc))}</span>
          </span>
          <button className="icon-button" data-testid="recording-export-current" title={`Export revision ${status.rev} to a file`} onClick={() => void exportToFile(editor.recordingId, status.rev ?? undefined)}>
            <DownloadIcon size={14} />
          </button>
          <button className="icon-button" data-testid="recording-close" title="Close: back to the session" onClick={() => useRecordings.getState().open(null)}>
            <CloseIcon size={14} />
          </button>
        </div>
      </div>
      {status.saveError && (
        <div className="rec-error" role="alert" data-testid="timeline-save-error">
          <span>Not saved: {status.saveError}. Your edits are still here.</span>
          <button
            className="btn btn-small"
            data-testid="timeline-save-copy"
            title="Keep your edits as a new recording"
            onClick={() => {
              const d = editor.document();
              if (d) void importRecording(recordingsApi(), d.name, JSON.stringify({ ...d, name: `${d.name} (edited)`.slice(0, 200) }));
            }}
          >
            Save as a new recording
          </button>
        </div>
      )}
      {elsewhere && !status.saveError && (
        <div className="rec-note" data-testid="timeline-newer">
          Revision {latest} was saved elsewhere after the one you are editing ({status.baseRev}).{' '}
          <button className="btn btn-small" onClick={() => loadRev(latest)}>
            Load revision {latest}
          </button>
        </div>
      )}
      <div className="tl-host" ref={hostRef} data-testid="timeline" data-events={doc.events.length} data-selected={tl.selection.size} />
      <div className="tl-hint">
        Wheel zoom · Shift+wheel or drag pan · click select · Shift/Ctrl-click add · Shift-drag range · drag move · ←/→ nudge · Del · Ctrl+C/V · Ctrl+Z/Ctrl+Shift+Z · K key · double-click insert · F fit
      </div>
      <div className="rec-lower">
        <Inspector
          timeline={tl}
          cursorUs={cursorUs}
          onInsertKey={() => setKeyAt(popAtCursor())}
          onInsertConsole={() => setConsoleAt(popAtCursor())}
          onReveal={(t) => viewRef.current?.reveal(t)}
        />
        <ReplayPanel recordingId={editor.recordingId} rev={status.rev} dirty={dirty} />
      </div>
      {keyAt && (
        <KeyPicker
          at={keyAt}
          onClose={() => {
            setKeyAt(null);
            viewRef.current?.canvas.focus();
          }}
          onInsert={(key, holdUs) => {
            tl.insertKey(keyAt.tUs, key, holdUs);
            setKeyAt(null);
            viewRef.current?.canvas.focus();
          }}
        />
      )}
      {consoleAt && (
        <ConsoleInsert
          at={consoleAt}
          onClose={() => setConsoleAt(null)}
          onInsert={(data) => {
            tl.insertConsole(consoleAt.tUs, data);
            setConsoleAt(null);
            viewRef.current?.canvas.focus();
          }}
        />
      )}
      {pendingRev !== null && (
        <ConfirmDialog
          title="Discard edits"
          confirmLabel={`Load revision ${pendingRev}`}
          danger
          onCancel={() => setPendingRev(null)}
          onConfirm={() => {
            void editor.load(pendingRev);
            setPendingRev(null);
          }}
        >
          Your unsaved edits are lost when revision {pendingRev} is loaded. Save them first to keep them.
        </ConfirmDialog>
      )}
    </div>
  );
}

function SpeedField({ tl }: { tl: Timeline }) {
  const speed = tl.doc.speed;
  const [text, setText] = useState(String(speed));
  useEffect(() => setText(String(speed)), [speed]);
  const v = Number(text);
  const ok = Number.isFinite(v) && v >= 0.05 && v <= 20;
  const commit = () => {
    if (ok && v !== speed) tl.setSpeed(v);
    else setText(String(speed));
  };
  return (
    <label className="mon-field" title="Playback speed saved with the recording (2 = twice as fast; 0.05–20)">
      <span>Speed ×</span>
      <input
        className="input input-small rec-speed"
        data-testid="timeline-speed"
        value={text}
        aria-invalid={!ok}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </label>
  );
}
