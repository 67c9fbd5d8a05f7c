/**
 * The input feature's part of the contract (src-shared/features/input.ts). Spread into
 * createServiceImpl (../api.ts); the dispatcher validates every input and output.
 */
import type { MethodOutput, MethodParsedInput } from '../../../src-shared/contract';
import type { inputMethods } from '../../../src-shared/features/input';
import type { Core } from '../core';

type InputMethodName = keyof typeof inputMethods;
export type InputImpl = { [M in InputMethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };

export function createInputImpl(core: Core): InputImpl {
  const i = core.input;
  return {
    'input.key': async ({ id, key, down }) => ({ ok: true as const, deliverable: (await i.injectKey(id, key, down)).deliverable }),
    'input.keys': async ({ id }) => i.keys(id),
    'screen.grab': async ({ id }) => i.grab(id),
  };
}
