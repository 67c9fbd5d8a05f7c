import type { SessionSummary } from '../../../../src-shared/contract';

export function ProcessesPane({ session }: { session: SessionSummary }) {
  return <div className="empty-note" data-session-id={session.id}>Processes: waiting for the agent contract.</div>;
}
