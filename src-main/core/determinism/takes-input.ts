import { BenchtopError } from '../../../src-shared/errors';

/**
 * A reproduction takes no input: QEMU replays the recorded keys, bytes and packets and ignores
 * any other, so the input path, the recorder and the event manager's replays refuse it here,
 * with the reason, instead of sending what would silently go nowhere.
 */
export function assertTakesInput(s: { name: string; determinism: { mode: string } }): void {
  if (s.determinism.mode === 'replay') throw new BenchtopError('invalid-state', `session ${s.name} reproduces a recording exactly: it takes no input`);
}
