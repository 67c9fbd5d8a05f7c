/** Test data shared by the renderer's unit tests. */
import type { SessionSummary } from '../../../src-shared/contract';

export function summary(id: string, patch: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id,
    name: id,
    board: 'mainstone',
    state: 'created',
    createdAt: 1000,
    startedAt: null,
    endedAt: null,
    runs: 0,
    exit: null,
    error: null,
    gdbPort: null,
    inputDevice: 'keypad',
    determinism: { mode: 'off' },
    ...patch,
  };
}
