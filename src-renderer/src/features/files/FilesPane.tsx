import type { SessionSummary } from '../../../../src-shared/contract';

export function FilesPane({ session }: { session: SessionSummary }) {
  return <div className="empty-note" data-session-id={session.id}>Files: waiting for the agent contract.</div>;
}
