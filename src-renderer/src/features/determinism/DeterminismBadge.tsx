/** A toolbar chip on deterministic sessions: this run is recorded, or this session replays one. */
import type { SessionSummary } from '../../../../src-shared/contract';
import './determinism.css';

export function DeterminismBadge({ session: s }: { session: SessionSummary }) {
  const d = s.determinism;
  if (d.mode === 'off') return null;
  return d.mode === 'record' ? (
    <span className="badge rr-badge rr-record" data-testid="rr-badge" data-mode="record" title="Deterministic mode: every run is recorded by QEMU (record/replay) and can be reproduced exactly">
      rr record
    </span>
  ) : (
    <span className="badge rr-badge rr-replay" data-testid="rr-badge" data-mode="replay" title={`Reproduces run ${d.of.run} of session ${d.of.sessionId}: it takes no input`}>
      rr replay
    </span>
  );
}
