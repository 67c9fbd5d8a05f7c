/** Replay a recording into a running session (N times), follow its replays, open their reports. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useCompare } from '../compare';
import { useShallow } from 'zustand/react/shallow';
import { formatClock, formatDateTime } from '../../ui/format';
import { CloseIcon, PlayIcon } from '../../ui/icons';
import { useSessions } from '../sessions/sessionsStore';
import { cancelReplay, loadReplays, recordingsApi, startReplay } from './commands';
import type { ReplayInfo, ReplayReport } from './recordingsApi';
import { isReplayActive, replaysOf, useRecordings } from './recordingsStore';
import { reportRows, statFigures } from './report';
import { describeError } from '../status/errorsStore';

const STATE_TONE: Record<ReplayInfo['state'], string> = { scheduled: 'idle', running: 'busy', done: 'ok', cancelled: 'warn', failed: 'bad' };

export function ReplayPanel(props: { recordingId: string; rev: number | null; dirty: boolean }) {
  const running = useSessions(useShallow((s) => s.order.filter((id) => s.byId[id]?.state === 'running')));
  const names = useSessions((s) => s.byId);
  const replays = useRecordings(useShallow((s) => replaysOf(s.replays, props.recordingId)));
  const [target, setTarget] = useState<string>('');
  const [repeat, setRepeat] = useState('1');
  const [busy, setBusy] = useState(false);
  const [reportOf, setReportOf] = useState<string | null>(null);
  // Replays ticked for Compare (ids; a replay that disappears drops out).
  const [picked, setPicked] = useState<string[]>([]);
  const pickedHere = picked.filter((id) => replays.some((r) => r.replayId === id));

  useEffect(() => {
    void loadReplays(recordingsApi(), props.recordingId);
  }, [props.recordingId]);
  // Default target: the selected session when it runs, else the first running one.
  const selected = useSessions((s) => s.selectedId);
  const chosen = running.includes(target) ? target : selected && running.includes(selected) ? selected : (running[0] ?? '');
  const n = Number(repeat);
  const repeatOk = Number.isInteger(n) && n >= 1 && n <= 1000;

  return (
    <section className="replays" data-testid="replay-panel" aria-label="Replay">
      <div className="rec-subhead">
        <span className="pane-title">Replay</span>
        <label className="mon-field" title="A running session to type the recording into">
          <span>into</span>
          <select className="input input-small replay-target" data-testid="replay-target" value={chosen} disabled={running.length === 0} onChange={(e) => setTarget(e.target.value)}>
            {running.length === 0 && <option value="">no running session</option>}
            {running.map((id) => (
              <option key={id} value={id}>
                {names[id]?.name ?? id}
              </option>
            ))}
          </select>
        </label>
        <label className="mon-field" title="Replay it this many times, back to back (each its own replay and report)">
          <span>×</span>
          <input className="input input-small replay-repeat" data-testid="replay-repeat" inputMode="numeric" value={repeat} aria-invalid={!repeatOk} onChange={(e) => setRepeat(e.target.value)} />
        </label>
        <button
          className="btn btn-small btn-primary"
          data-testid="replay-start"
          disabled={!chosen || !repeatOk || busy || props.rev === null}
          title={props.rev === null ? 'Loading…' : `Replay revision ${props.rev} into ${names[chosen]?.name ?? 'a running session'}`}
          onClick={() => {
            if (props.rev === null) return;
            setBusy(true);
            void startReplay(recordingsApi(), { recordingId: props.recordingId, rev: props.rev, sessionId: chosen, repeat: n }).finally(() => setBusy(false));
          }}
        >
          <PlayIcon size={12} />
          Replay
        </button>
      </div>
      {props.dirty && props.rev !== null && (
        <div className="rec-note" data-testid="replay-unsaved-note">
          Replays revision {props.rev} as saved: save to replay your edits.
        </div>
      )}
      {running.length === 0 && <div className="rec-note">Start a session (F5) to replay into it.</div>}
      <div className="replay-list" data-testid="replay-list">
        {replays.length === 0 && <div className="empty-note">No replays of this recording yet.</div>}
        {replays.map((r) => (
          <ReplayRow
            key={r.replayId}
            r={r}
            sessionName={names[r.sessionId]?.name ?? r.sessionId}
            onReport={() => setReportOf(r.replayId)}
            picked={pickedHere.includes(r.replayId)}
            onPick={(on) => setPicked((p) => (on ? [...p.filter((x) => x !== r.replayId), r.replayId] : p.filter((x) => x !== r.replayId)))}
          />
        ))}
      </div>
      {replays.length >= 2 && (
        <div className="rec-subhead">
          <button
            className="btn btn-small"
            data-testid="replay-compare"
            disabled={pickedHere.length < 2}
            title={pickedHere.length < 2 ? 'Tick two or more replays to compare them' : `Compare ${pickedHere.length} replays`}
            onClick={() => useCompare.getState().open(pickedHere)}
          >
            Compare{pickedHere.length ? ` (${pickedHere.length})` : ''}
          </button>
          <span className="muted">tick replays to overlay their charts and times</span>
        </div>
      )}
      {reportOf && <ReportDialog replayId={reportOf} onClose={() => setReportOf(null)} />}
    </section>
  );
}

function ReplayRow({ r, sessionName, onReport, picked, onPick }: { r: ReplayInfo; sessionName: string; onReport: () => void; picked: boolean; onPick: (on: boolean) => void }) {
  const pct = r.total ? Math.round((100 * r.injected) / r.total) : 0;
  const active = isReplayActive(r);
  const took = r.startedAt !== null && r.endedAt !== null ? `${((r.endedAt - r.startedAt) / 1000).toFixed(2)} s` : null;
  return (
    <div className="replay-row" data-testid="replay-row" data-replay-id={r.replayId} data-state={r.state}>
      <input type="checkbox" data-testid="replay-pick" aria-label="Pick for Compare" checked={picked} onChange={(e) => onPick(e.target.checked)} />
      <span className={`replay-state tone-${STATE_TONE[r.state]}`} data-testid="replay-state">
        <span className="state-dot" />
        {r.state}
      </span>
      <span className="replay-what" title={`${r.replayId} · revision ${r.rev} · speed ×${r.speed}`}>
        {r.of > 1 ? `${r.iteration}/${r.of} · ` : ''}
        {sessionName} <span className="muted">· rev {r.rev}{r.speed !== 1 ? ` · ×${r.speed}` : ''}</span>
      </span>
      <span className="replay-progress" title={`${r.injected} of ${r.total} events injected`}>
        <span className="replay-bar">
          <span className="replay-bar-fill" style={{ width: `${pct}%` }} />
        </span>
        <span className="replay-count" data-testid="replay-progress" data-injected={r.injected} data-total={r.total}>
          {r.injected}/{r.total}
        </span>
      </span>
      <span className="replay-time muted" title={r.startedAt !== null ? `started ${formatDateTime(r.startedAt)}` : 'waiting for the replays before it'}>
        {r.startedAt !== null ? formatClock(r.startedAt) : 'waiting'}
        {took ? ` · ${took}` : ''}
      </span>
      <span className="replay-actions">
        {active && (
          <button className="btn btn-small" data-testid="replay-cancel" onClick={() => void cancelReplay(recordingsApi(), r.replayId)}>
            Cancel
          </button>
        )}
        <button className="btn btn-small" data-testid="replay-report-open" disabled={r.state === 'scheduled'} onClick={onReport}>
          Report
        </button>
      </span>
      {r.error && (
        <span className="replay-error" title={r.error}>
          {r.error}
        </span>
      )}
    </div>
  );
}

const ROW_PX = 22;

function ReportDialog({ replayId, onClose }: { replayId: string; onClose: () => void }) {
  const live = useRecordings((s) => s.replays[replayId]);
  const [report, setReport] = useState<ReplayReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlyLate, setOnlyLate] = useState(false);
  const [scroll, setScroll] = useState({ top: 0, height: 400 });
  const bodyRef = useRef<HTMLDivElement>(null);

  // Fetched again when the replay's state or progress changes (a running replay's report grows).
  const stamp = `${live?.state}:${live?.injected}`;
  useEffect(() => {
    let stale = false;
    recordingsApi()
      .replayReport({ replayId })
      .then(
        (r) => !stale && (setReport(r), setError(null)),
        (err: unknown) => !stale && setError(describeError(err).message),
      );
    return () => {
      stale = true;
    };
  }, [replayId, stamp]);

  const rows = useMemo(() => (report ? reportRows(report) : []), [report]);
  const shown = useMemo(() => (onlyLate ? rows.filter((r) => r.late || r.missed) : rows), [rows, onlyLate]);
  const lateCount = useMemo(() => rows.filter((r) => r.late).length, [rows]);
  useEffect(() => {
    const el = bodyRef.current;
    if (el) setScroll({ top: el.scrollTop, height: el.clientHeight });
  }, [report]);
  const first = Math.max(0, Math.floor(scroll.top / ROW_PX) - 10);
  const last = Math.min(shown.length, Math.ceil((scroll.top + scroll.height) / ROW_PX) + 10);

  return (
    <div className="modal-backdrop report-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal report" role="dialog" aria-label="Replay report" data-testid="replay-report" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <div className="report-head">
          <span className="modal-title">
            Replay report <span className="muted">{replayId}</span>
          </span>
          <button className="icon-button" data-testid="replay-report-close" aria-label="Close" onClick={onClose} autoFocus>
            <CloseIcon size={14} />
          </button>
        </div>
        {error && (
          <div className="rec-error" role="alert" data-testid="replay-report-error">
            Cannot load the report: {error}
          </div>
        )}
        {report && (
          <>
            <div className="report-stats" data-testid="replay-report-stats">
              {statFigures(report).map((f) => (
                <div key={f.key} className="report-stat" title={f.title} data-stat={f.key}>
                  <span className="report-stat-label">{f.label}</span>
                  <span className="report-stat-value">{f.value}</span>
                </div>
              ))}
              <div className="report-stat">
                <span className="report-stat-label">Injected</span>
                <span className="report-stat-value">
                  {report.replay.injected}/{report.replay.total} · {report.replay.state}
                </span>
              </div>
            </div>
            <div className="report-filter">
              <label>
                <input type="checkbox" checked={onlyLate} onChange={(e) => setOnlyLate(e.target.checked)} data-testid="replay-report-only-late" /> Only events off by more than 2 ms ({lateCount.toLocaleString('en')})
              </label>
              {report.markers.length > 0 && <span className="muted">{report.markers.length} guest marker{report.markers.length === 1 ? '' : 's'} seen</span>}
            </div>
            <div className="report-table-head">
              <span>Event</span>
              <span>Scheduled ms</span>
              <span>Injected ms</span>
              <span>Guest ms</span>
              <span>Error ms</span>
            </div>
            <div className="report-body" ref={bodyRef} onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}>
              <div style={{ height: shown.length * ROW_PX, position: 'relative' }}>
                {shown.slice(first, last).map((r, k) => (
                  <div
                    key={r.eventId}
                    className={`report-row${r.late ? ' late' : ''}${r.missed ? ' missed' : ''}`}
                    style={{ top: (first + k) * ROW_PX }}
                    data-testid="replay-report-row"
                    data-event-id={r.eventId}
                    data-late={r.late}
                  >
                    <span className="report-label" title={`${r.kind} ${r.eventId}`}>
                      <span className={`report-kind kind-${r.kind}`}>{r.kind}</span>
                      {r.label}
                    </span>
                    <span>{r.scheduledMs}</span>
                    <span>{r.injectedMs}</span>
                    <span>{r.guestMs}</span>
                    <span className="report-err">{r.errorMs}</span>
                  </div>
                ))}
              </div>
            </div>
          </>
        )}
        {!report && !error && <div className="empty-note">Loading the report…</div>}
      </div>
    </div>
  );
}
