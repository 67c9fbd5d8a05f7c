/**
 * Deterministic mode's part of the contract (src-shared/features/determinism.ts). Spread into
 * createServiceImpl (../api.ts); the dispatcher validates every input and output.
 */
import type { MethodOutput, MethodParsedInput } from '../../../src-shared/contract';
import type { determinismMethods } from '../../../src-shared/features/determinism';
import { BenchtopError } from '../../../src-shared/errors';
import type { SessionService } from '../sessions/service';
import { listRecordings } from './recording-files';

type DeterminismMethodName = keyof typeof determinismMethods;
export type DeterminismImpl = { [M in DeterminismMethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };

export function createDeterminismImpl(sessions: SessionService): DeterminismImpl {
  return {
    'determinism.runs': async ({ id }) => {
      sessions.get(id); // names an unknown session
      return listRecordings(sessions.sessionDir(id));
    },
    'determinism.reproduce': async ({ id, run }) => {
      const src = sessions.get(id);
      const chosen = run ?? listRecordings(sessions.sessionDir(id)).find((r) => r.problem === null)?.run;
      if (chosen === undefined) {
        throw new BenchtopError('invalid-state', `session ${src.name} has no recorded run that can be reproduced yet (stop it first: QEMU finishes its log when it exits)`);
      }
      const copy = sessions.createReproduction(id, chosen);
      await sessions.start(copy.id);
      return { sessionId: copy.id };
    },
  };
}
