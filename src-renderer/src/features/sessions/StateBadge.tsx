import type { SessionState } from '../../../../src-shared/contract';
import { STATE_TONE } from './actions';

export function StateBadge({ state, testId }: { state: SessionState; testId?: string }) {
  return (
    <span className={`badge tone-${STATE_TONE[state]}`} data-testid={testId} data-state={state}>
      {state}
    </span>
  );
}

export function StateDot({ state }: { state: SessionState }) {
  return <span className={`state-dot tone-${STATE_TONE[state]}`} aria-hidden="true" />;
}
