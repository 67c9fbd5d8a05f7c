import type { ServiceImpl } from '../../../src-shared/contract';
import type { hosttermMethods } from '../../../src-shared/features/hostterm';
import type { Core } from '../core';

type HosttermImpl = Pick<ServiceImpl, keyof typeof hosttermMethods>;

export function createHosttermImpl(core: Core): HosttermImpl {
  const t = core.hostTerminals;
  const ok = { ok: true as const };
  return {
    'hostterm.open': async ({ sessionId, cols, rows }) => {
      core.sessions.get(sessionId); // not-found for an unknown session
      return t.open(sessionId, cols, rows);
    },
    'hostterm.list': async ({ sessionId }) => t.list(sessionId),
    'hostterm.write': async ({ termId, data }) => (t.write(termId, data), ok),
    'hostterm.resize': async ({ termId, cols, rows }) => (t.resize(termId, cols, rows), ok),
    'hostterm.close': async ({ termId }) => (t.close(termId), ok),
    'hostterm.backlog': async ({ termId }) => t.backlog(termId),
  };
}
