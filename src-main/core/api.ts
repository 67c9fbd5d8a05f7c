/**
 * The contract's implementation and the one dispatcher both front doors use: look the method
 * up, validate the input against its schema, call, validate the output.
 */
import { methods, isMethodName, type ServiceImpl } from '../../src-shared/contract';
import { BenchtopError } from '../../src-shared/errors';
import { createApi, type Api } from '../../src-shared/transport';
import type { Core } from './core';
import { createAgentImpl } from './agent/api';
import { createDeterminismImpl } from './determinism/api';
import { createHosttermImpl } from './hostterm/api';
import { createInputImpl } from './input/api';
import { createMonitorImpl } from './monitor/api';
import { createReplayImpl } from './replay/api';

export function createServiceImpl(core: Core, frontDoor: 'electron' | 'websocket' | 'in-process'): ServiceImpl {
  const s = core.sessions;
  return {
    'app.info': async () => ({ version: core.version, workspace: core.workspace, frontDoor }),
    'boards.list': async () => s.boards(),
    'image.ensure': async ({ board }) => core.ensureImage(board),
    'sessions.list': async () => s.list(),
    'sessions.create': async (i) => s.create(i),
    'sessions.rename': async ({ id, name }) => s.rename(id, name),
    'sessions.delete': async ({ id }) => {
      await s.delete(id);
      return { ok: true as const };
    },
    'sessions.start': async ({ id }) => s.start(id),
    'sessions.pause': async ({ id }) => s.pause(id),
    'sessions.resume': async ({ id }) => s.resume(id),
    'sessions.reset': async ({ id }) => s.reset(id),
    'sessions.stop': async ({ id }) => s.stop(id),
    'sessions.history': async ({ id }) => s.history(id),
    'console.write': async ({ id, data }) => {
      s.writeConsole(id, data);
      return { ok: true as const };
    },
    'console.transcript': async ({ id, maxBytes }) => s.transcript(id, maxBytes),
    // Each feature implements its own contract entries next to its service.
    ...createAgentImpl(core),
    ...createDeterminismImpl(core.sessions),
    ...createHosttermImpl(core),
    ...createMonitorImpl(core),
    ...createReplayImpl(core),
    ...createInputImpl(core),
  };
}

export async function dispatch(impl: ServiceImpl, method: string, rawInput: unknown): Promise<unknown> {
  if (typeof method !== 'string' || !isMethodName(method)) throw new BenchtopError('bad-request', `unknown method '${String(method)}'`);
  const spec = methods[method];
  const parsed = spec.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw new BenchtopError('bad-request', `invalid input for ${method}: ${issues}`);
  }
  const fn = impl[method] as (input: unknown) => Promise<unknown>;
  const out = await fn(parsed.data);
  return spec.output.parse(out);
}

/** The typed Api over the dispatcher in this process (CLI headless sessions, tests): validated like a front door. */
export function inProcessApi(core: Core): Api {
  const impl = createServiceImpl(core, 'in-process');
  return createApi({
    invoke: (method, input) => dispatch(impl, method, input),
    subscribe: (event, listener) =>
      core.bus.onAny((e, p) => {
        if (e === event) listener(p);
      }),
  });
}
