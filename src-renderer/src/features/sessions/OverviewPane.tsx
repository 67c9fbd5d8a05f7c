/** Facts about the selected session: board, state, runs, times, exit, gdb port, errors. */
import type { ReactNode } from 'react';
import type { SessionSummary } from '../../../../src-shared/contract';
import { formatDateTime, formatDuration } from '../../ui/format';
import { useNow } from '../../ui/useNow';
import { DeterminismCard } from '../determinism';
import { isLive } from './actions';
import { useSessions } from './sessionsStore';
import { StateBadge } from './StateBadge';

export function OverviewPane({ session: s }: { session: SessionSummary }) {
  const board = useSessions((st) => st.boards.find((b) => b.id === s.board));
  const live = isLive(s.state);
  const now = useNow(1000, live);
  const exitText = s.exit
    ? s.exit.signal
      ? `killed by ${s.exit.signal}`
      : `exit code ${s.exit.code ?? '?'}`
    : null;

  return (
    <div className="overview" data-testid="overview">
      <section className="card">
        <h2 className="card-title">Session</h2>
        <dl className="facts">
          <Fact label="Name">{s.name}</Fact>
          <Fact label="Id">
            <code>{s.id}</code>
          </Fact>
          <Fact label="State">
            <StateBadge state={s.state} />
          </Fact>
          <Fact label="Runs">{s.runs}</Fact>
          <Fact label="Created">{formatDateTime(s.createdAt)}</Fact>
          <Fact label="Started">{s.startedAt ? formatDateTime(s.startedAt) : '—'}</Fact>
          <Fact label="Ended">{s.endedAt && !live ? formatDateTime(s.endedAt) : '—'}</Fact>
          <Fact label={live ? 'Uptime' : 'Last run'}>
            {s.startedAt && live
              ? formatDuration(now - s.startedAt)
              : s.startedAt && s.endedAt
                ? formatDuration(s.endedAt - s.startedAt)
                : '—'}
          </Fact>
        </dl>
      </section>

      <section className="card">
        <h2 className="card-title">Board</h2>
        <dl className="facts">
          <Fact label="Board">{board ? `${board.title} (${board.id})` : s.board}</Fact>
          {board && (
            <Fact label="QEMU machine">
              <code>-M {board.machine}</code>
            </Fact>
          )}
          {board && <Fact label="Hardware">{board.description}</Fact>}
          <Fact label="GDB stub">
            {s.gdbPort ? (
              <span>
                <code>127.0.0.1:{s.gdbPort}</code>
                <span className="muted"> — gdb-multiarch: </span>
                <code className="selectable">target remote 127.0.0.1:{s.gdbPort}</code>
              </span>
            ) : (
              <span className="muted">{live ? 'not available' : 'only while running'}</span>
            )}
          </Fact>
        </dl>
      </section>

      <DeterminismCard session={s} />

      {(s.exit || s.error) && (
        <section className={`card${s.state === 'crashed' || s.error ? ' card-error' : ''}`}>
          <h2 className="card-title">{s.state === 'crashed' ? 'Crash' : 'Last exit'}</h2>
          <dl className="facts">
            {exitText && <Fact label="QEMU exit">{exitText}</Fact>}
            {s.error && (
              <Fact label="Error">
                <span className="error-text" data-testid="overview-error">
                  {s.error}
                </span>
              </Fact>
            )}
          </dl>
          {s.exit && s.exit.stderrTail.length > 0 && (
            <>
              <div className="subhead">QEMU stderr (last {s.exit.stderrTail.length} lines)</div>
              <pre className="stderr-tail" data-testid="overview-stderr">
                {s.exit.stderrTail.join('\n')}
              </pre>
            </>
          )}
        </section>
      )}
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
