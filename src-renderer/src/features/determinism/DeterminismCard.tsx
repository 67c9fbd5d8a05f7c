/**
 * The Overview's deterministic-mode card. A recording session: what the mode costs and does not
 * support, and its recorded runs, each reproducible in a new session. A reproduction: which run
 * it replays and, once it ended, whether its console matched the recorded one byte for byte.
 */
import { useEffect, useState } from 'react';
import type { SessionSummary } from '../../../../src-shared/contract';
import type { RecordedRun } from '../../../../src-shared/features/determinism';
import { getApi } from '../../platform/apiRef';
import { formatDateTime, formatDuration } from '../../ui/format';
import { useSessions } from '../sessions/sessionsStore';
import { loadRecordedRuns, reproduce } from './commands';
import './determinism.css';

/** docs/deterministic-mode.md, in the user's words. */
const RR_COSTS = [
  'Boot is ~15 % slower; QEMU runs with -icount (one vCPU thread, no MTTCG).',
  'Each run keeps QEMU’s input log (~75 KB/s, ~270 MB an hour, even idle: the USB keyboard’s frame timer) and copies of the kernel, initrd and SD card (~70 MB).',
  'The SD card is not written: the guest’s changes are dropped at the end of each run.',
  'Typing into the console is paced to 1 byte / 15 ms — faster input would overflow the UART and be lost.',
  'Keys go through the USB keyboard: the board keypad loses keys while QEMU records.',
  'No guest agent (no guest metrics, files, processes or guest-side replay truth): the UART link cannot keep up.',
  'A run stopped by force (SIGKILL, Benchtop killed) cannot be reproduced: QEMU finishes its log on exit.',
];

export function DeterminismCard({ session: s }: { session: SessionSummary }) {
  const d = s.determinism;
  if (d.mode === 'off') return null;
  return d.mode === 'record' ? <RecordCard session={s} /> : <ReplayCard session={s} of={d.of} verdict={d.verdict} />;
}

function RecordCard({ session: s }: { session: SessionSummary }) {
  const [runs, setRuns] = useState<RecordedRun[] | null>(null);
  const [busyRun, setBusyRun] = useState<number | null>(null);
  // The list changes when a run ends: reload on every state change.
  useEffect(() => {
    let live = true;
    void loadRecordedRuns(getApi(), s.id).then((r) => live && setRuns(r));
    return () => {
      live = false;
    };
  }, [s.id, s.state, s.runs]);
  return (
    <section className="card rr-card" data-testid="rr-card" data-mode="record">
      <h2 className="card-title">Deterministic mode · QEMU record/replay</h2>
      <div>Every run of this session is recorded and can be reproduced exactly — same console bytes, same timing as seen by the guest — in a new session.</div>
      <div className="subhead">What it costs and does not support</div>
      <ul className="rr-costs">
        {RR_COSTS.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div className="subhead">Recorded runs</div>
      {runs === null ? (
        <div className="muted">Loading…</div>
      ) : runs.length === 0 ? (
        <div className="muted" data-testid="rr-no-runs">
          None yet: start the session, use it, stop it.
        </div>
      ) : (
        <table className="rr-runs" data-testid="rr-runs">
          <thead>
            <tr>
              <th>Run</th>
              <th>Recorded</th>
              <th>Length</th>
              <th>Log</th>
              <th>Console</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.run} data-testid={`rr-run-${r.run}`}>
                <td>{r.run}</td>
                <td>{r.recordedAt ? formatDateTime(r.recordedAt) : '—'}</td>
                <td>{r.endedAt && r.recordedAt ? formatDuration(r.endedAt - r.recordedAt) : '—'}</td>
                <td>{(r.logBytes / 1e6).toFixed(1)} MB</td>
                <td>{r.consoleBytes === null ? '—' : `${r.consoleBytes.toLocaleString('en-US')} B`}</td>
                <td>
                  {r.problem ? (
                    <span className="rr-problem" data-testid="rr-run-problem">
                      {r.problem}
                    </span>
                  ) : (
                    <button
                      className="btn btn-small"
                      data-testid="rr-reproduce"
                      disabled={busyRun !== null}
                      title="Start a new session that replays this run exactly"
                      onClick={() => {
                        setBusyRun(r.run);
                        void reproduce(getApi(), s.id, r.run).finally(() => setBusyRun(null));
                      }}
                    >
                      {busyRun === r.run ? 'Starting…' : 'Reproduce'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ReplayCard({ session: s, of, verdict }: { session: SessionSummary; of: { sessionId: string; run: number }; verdict: { identical: boolean; detail: string } | null }) {
  const source = useSessions((st) => st.byId[of.sessionId]);
  const select = useSessions((st) => st.select);
  const running = s.state === 'running' || s.state === 'paused' || s.state === 'starting';
  return (
    <section className="card rr-card" data-testid="rr-card" data-mode="replay">
      <h2 className="card-title">Reproduction · QEMU record/replay</h2>
      <dl className="facts">
        <dt>Replays</dt>
        <dd>
          run {of.run} of{' '}
          {source ? (
            <button className="link-button" onClick={() => select(of.sessionId)}>
              {source.name}
            </button>
          ) : (
            <code>{of.sessionId}</code>
          )}
        </dd>
        <dt>Input</dt>
        <dd>none — QEMU replays the recorded keys, console bytes and network packets; anything typed here goes nowhere</dd>
        <dt>Verdict</dt>
        <dd data-testid="rr-verdict" data-identical={verdict ? String(verdict.identical) : 'pending'}>
          {verdict ? (
            <span className={verdict.identical ? 'rr-verdict-ok' : 'rr-verdict-bad'}>
              {verdict.identical ? '✓ ' : '✗ '}
              {verdict.detail}
            </span>
          ) : running ? (
            <span className="muted">replaying… the console is compared when QEMU reaches the end of the recording</span>
          ) : (
            <span className="muted">start the session to replay the run</span>
          )}
        </dd>
      </dl>
    </section>
  );
}
