/**
 * Processes started in the guest through the target agent: a Run field, the table (pid,
 * command, state) with Suspend / Resume / Kill per row (SIGSTOP / SIGCONT / SIGKILL), and the
 * selected process's stdout and stderr below.
 */
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { SessionSummary } from '../../../../src-shared/contract';
import { formatClock, formatDuration } from '../../ui/format';
import { ClearIcon, CloseIcon, ErrorIcon, InfoIcon, PauseIcon, PlayIcon, ResumeIcon, StopIcon } from '../../ui/icons';
import { useNow } from '../../ui/useNow';
import { useAgentReady } from './agentStatus';
import { formatCommandLine } from './commandLine';
import { refreshProcs, runCommandLine, signalProc } from './procBackend';
import { describeState, EMPTY_PROCS, isEnded, procs, useProcs, type ProcRow } from './procStore';
import './processes.css';

const STATE_TONE: Record<ProcRow['state'], string> = { running: 'ok', stopped: 'warn', exited: 'idle', lost: 'bad' };

/** Characters of output put in the DOM (the buffer keeps more; Copy takes all of it). */
const SHOWN_CHARS = 200_000;

export function ProcessesPane({ session }: { session: SessionSummary }) {
  const id = session.id;
  const ready = useAgentReady(session);
  const view = useProcs((st) => st.bySession[id]) ?? EMPTY_PROCS;
  const [line, setLine] = useState('');
  const [runError, setRunError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const selected = view.rows.find((r) => r.pid === view.selected) ?? null;
  const live = view.rows.some((r) => !isEnded(r.state));
  const now = useNow(1000, live);

  useEffect(() => {
    if (ready.ok) refreshProcs(id).catch(() => {}); // best effort: events keep the table current
  }, [id, ready.ok]);

  const run = async () => {
    if (!ready.ok || running) return;
    setRunning(true);
    const r = await runCommandLine(id, line);
    setRunning(false);
    if ('error' in r) setRunError(r.error);
    else setRunError(null);
  };

  return (
    <div className="procs-pane" data-testid="processes-pane" data-ready={ready.ok}>
      <form
        className="procs-run"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <span className="procs-run-label">Run in the guest</span>
        <input
          className="input procs-run-input"
          data-testid="proc-run-input"
          aria-label="Command line to run in the guest"
          placeholder="program and arguments, e.g. /bin/ls -l /tmp  ·  sh -c 'for i in 1 2 3; do echo $i; sleep 1; done'"
          spellCheck={false}
          value={line}
          disabled={!ready.ok}
          onChange={(e) => {
            setLine(e.target.value);
            setRunError(null);
          }}
        />
        <button className="btn btn-small btn-primary" type="submit" data-testid="proc-run" disabled={!ready.ok || running || !line.trim()}>
          <PlayIcon size={12} />
          Run
        </button>
      </form>
      {!ready.ok && (
        <div className="procs-note" data-testid="procs-unavailable">
          <InfoIcon size={14} />
          <span>{ready.reason}</span>
        </div>
      )}
      {runError && (
        <div className="procs-error" role="alert" data-testid="proc-run-error">
          <ErrorIcon size={14} />
          <span>Cannot run that: {runError}</span>
          <button className="icon-button" aria-label="Dismiss" onClick={() => setRunError(null)}>
            <CloseIcon size={12} />
          </button>
        </div>
      )}
      <div className="procs-table-wrap">
        <table className="procs-table">
          <thead>
            <tr>
              <th className="col-pid">PID</th>
              <th className="col-cmd">Command</th>
              <th className="col-state">State</th>
              <th className="col-time">Started</th>
              <th className="col-time">Ran</th>
              <th className="col-actions">
                <button
                  className="icon-button"
                  title="Clear the processes that ended"
                  aria-label="Clear ended processes"
                  disabled={!view.rows.some((r) => isEnded(r.state))}
                  onClick={() => procs.clearEnded(id)}
                  data-testid="proc-clear"
                >
                  <ClearIcon size={14} />
                </button>
              </th>
            </tr>
          </thead>
          <tbody>
            {view.rows.map((r) => (
              <tr
                key={r.pid}
                className={`proc-row${r.pid === view.selected ? ' selected' : ''}`}
                data-testid="proc-row"
                data-pid={r.pid}
                data-state={r.state}
                aria-selected={r.pid === view.selected}
                onClick={() => procs.select(id, r.pid)}
              >
                <td className="col-pid">{r.pid}</td>
                <td className="col-cmd" title={formatCommandLine(r.argv)}>
                  <code>{r.argv.length ? formatCommandLine(r.argv) : '?'}</code>
                </td>
                <td className="col-state">
                  <span className={`proc-state tone-${STATE_TONE[r.state]}`} data-testid="proc-state">
                    <span className="state-dot" />
                    {describeState(r)}
                  </span>
                </td>
                <td className="col-time">{r.startedAt ? formatClock(r.startedAt) : '—'}</td>
                <td className="col-time">{r.startedAt ? formatDuration((r.endedAt ?? now) - r.startedAt) : '—'}</td>
                <td className="col-actions">
                  <button
                    className="icon-button"
                    title="Suspend (SIGSTOP)"
                    aria-label={`Suspend ${r.pid}`}
                    data-testid="proc-suspend"
                    disabled={!ready.ok || r.state !== 'running'}
                    onClick={(e) => {
                      e.stopPropagation();
                      void signalProc(id, r.pid, 'SIGSTOP');
                    }}
                  >
                    <PauseIcon size={13} />
                  </button>
                  <button
                    className="icon-button"
                    title="Resume (SIGCONT)"
                    aria-label={`Resume ${r.pid}`}
                    data-testid="proc-resume"
                    disabled={!ready.ok || r.state !== 'stopped'}
                    onClick={(e) => {
                      e.stopPropagation();
                      void signalProc(id, r.pid, 'SIGCONT');
                    }}
                  >
                    <ResumeIcon size={13} />
                  </button>
                  <button
                    className="icon-button proc-kill"
                    title="Kill (SIGKILL)"
                    aria-label={`Kill ${r.pid}`}
                    data-testid="proc-kill"
                    disabled={!ready.ok || isEnded(r.state)}
                    onClick={(e) => {
                      e.stopPropagation();
                      void signalProc(id, r.pid, 'SIGKILL');
                    }}
                  >
                    <StopIcon size={12} />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {view.rows.length === 0 && (
          <div className="empty-note">No processes started here yet. Type a command line above and press Enter, or build one in the Host tab and use Run on target.</div>
        )}
      </div>
      <div className="procs-output-head">
        <span className="pane-title">Output</span>
        {selected ? (
          <span className="procs-output-title">
            <code>{selected.pid}</code> {formatCommandLine(selected.argv)} · <span className="legend-stdout">stdout</span> <span className="legend-stderr">stderr</span>
          </span>
        ) : (
          <span className="procs-output-title muted">Select a process to see what it prints</span>
        )}
      </div>
      {selected ? <OutputView key={`${id}:${selected.pid}`} sessionId={id} pid={selected.pid} /> : <div className="proc-output" data-testid="proc-output" />}
    </div>
  );
}

function OutputView({ sessionId, pid }: { sessionId: string; pid: number }) {
  const out = procs.output(sessionId, pid);
  const version = useSyncExternalStore(
    (l) => out.subscribe(l),
    () => out.version,
  );
  const ref = useRef<HTMLPreElement>(null);
  const follow = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [version]);

  // Only the tail goes into the DOM.
  const chunks = out.get();
  let budget = SHOWN_CHARS;
  let start = chunks.length;
  while (start > 0 && budget > 0) budget -= chunks[--start]!.text.length;
  const shown = chunks.slice(start);
  const cut = start > 0 || out.trimmed;

  return (
    <pre
      ref={ref}
      className="proc-output"
      data-testid="proc-output"
      data-pid={pid}
      onScroll={(e) => {
        const el = e.currentTarget;
        follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
      }}
    >
      {cut && <span className="out-note">[… earlier output not shown …]{'\n'}</span>}
      {shown.map((c, i) => (
        <span key={start + i} className={c.stream === 'stderr' ? 'out-stderr' : c.stream === 'note' ? 'out-note' : 'out-stdout'}>
          {i === 0 && budget < 0 ? c.text.slice(-budget) : c.text}
        </span>
      ))}
      {chunks.length === 0 && <span className="out-note">(no output yet)</span>}
    </pre>
  );
}
