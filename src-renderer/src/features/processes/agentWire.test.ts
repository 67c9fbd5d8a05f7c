import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../../src-shared/contract';
import { useSessions } from '../sessions/sessionsStore';
import { AgentWire } from './agentWire';
import { useAgentStatus } from './agentStatus';
import { procs, useProcs } from './procStore';

const tick = () => new Promise((r) => setTimeout(r, 0));
const session = (id: string, state: SessionSummary['state']): SessionSummary => ({
  id, name: id, board: 'mainstone', state, createdAt: 1, startedAt: null, endedAt: null, runs: 1, exit: null, error: null, gdbPort: null, inputDevice: 'keypad', determinism: { mode: 'off' },
});

function fake() {
  const listeners = new Map<string, (p: unknown) => void>();
  const asked: string[] = [];
  const api = {
    agent: {
      status: async ({ id }: { id: string }) => {
        asked.push(id);
        return { sessionId: id, state: 'connected', capabilities: { agent: 'a' }, connectedAt: 1, resets: 0, lastReset: null, stats: { framesSent: 0, framesReceived: 0, retransmits: 0, timeouts: 0, bytesSkipped: 0 } };
      },
    },
    on: (e: string, l: (p: unknown) => void) => (listeners.set(e, l), () => listeners.delete(e)),
  };
  const platform = { onConnected: () => () => {}, onDisconnected: (l: () => void) => ((platform.disconnect = l), () => {}), disconnect: () => {} };
  return { api, listeners, asked, platform };
}

describe('AgentWire', () => {
  beforeEach(() => {
    useAgentStatus.setState({ bySession: {} });
    useProcs.setState({ bySession: {} });
    useSessions.setState({ byId: {} });
  });

  it('asks the status of running sessions once, forgets it when they stop, marks their processes lost', async () => {
    const { api, asked } = fake();
    const w = new AgentWire(api as never);
    w.onSessions({ a: session('a', 'running'), b: session('b', 'created') }, {});
    w.onSessions({ a: session('a', 'running'), b: session('b', 'created') }, {}); // in flight: not twice
    await tick();
    expect(asked).toEqual(['a']);
    expect(useAgentStatus.getState().bySession.a).toEqual({ state: 'connected', detail: 'a' });
    w.onSessions({ a: session('a', 'running') }, { a: session('a', 'running') }); // known: not asked
    await tick();
    expect(asked).toEqual(['a']);
    procs.upsert('a', { pid: 3, argv: ['sleep'], state: 'running' });
    w.onSessions({ a: session('a', 'stopped') }, { a: session('a', 'running') });
    expect(useAgentStatus.getState().bySession.a).toBeUndefined();
    expect(procs.row('a', 3)!.state).toBe('lost');
    w.onSessions({ a: session('a', 'running') }, { a: session('a', 'stopped') }); // started again: asked again
    await tick();
    expect(asked).toEqual(['a', 'a']);
  });

  it('feeds events into the stores', () => {
    const { api, listeners, platform } = fake();
    const offs = new AgentWire(api as never).start(platform);
    listeners.get('agent.status')!({ sessionId: 's', state: 'closed', capabilities: {}, connectedAt: null, resets: 1, lastReset: 'socket closed', stats: {} });
    expect(useAgentStatus.getState().bySession.s).toEqual({ state: 'closed', detail: 'socket closed' });
    listeners.get('proc.output')!({ sessionId: 's', pid: 4, stream: 'stderr', data: 'oops\n' });
    listeners.get('proc.exit')!({ sessionId: 's', pid: 4, how: 'signal', code: 9 });
    expect(procs.row('s', 4)).toMatchObject({ state: 'exited', signal: 'SIGKILL' });
    expect(procs.output('s', 4).text('stderr')).toBe('oops\n');
    platform.disconnect();
    expect(useAgentStatus.getState().bySession).toEqual({});
    for (const off of offs) off();
  });
});
