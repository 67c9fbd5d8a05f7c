import { beforeEach, describe, expect, it } from 'vitest';
import { summary } from '../testing/fixtures';
import type { SessionSummary } from '../../../src-shared/contract';
import { createApi, type Transport } from '../../../src-shared/transport';
import { useHistory } from '../features/log/historyStore';
import { useSessions } from '../features/sessions/sessionsStore';
import { useErrors } from '../features/status/errorsStore';
import { ConsoleRegistry } from '../features/terminal/consoleStore';
import { AppController } from './controller';

/** A fake front door: handlers per method (may return promises we resolve by hand), events. */
class FakeTransport implements Transport {
  listeners = new Map<string, Set<(p: unknown) => void>>();
  calls: { method: string; input: unknown }[] = [];
  handlers: Record<string, (input: Record<string, unknown>) => unknown> = {};
  invoke(method: string, input: unknown): Promise<unknown> {
    this.calls.push({ method, input });
    const h = this.handlers[method];
    if (!h) return Promise.reject(new Error(`no handler for ${method}`));
    return Promise.resolve().then(() => h(input as Record<string, unknown>));
  }
  subscribe(event: string, listener: (p: unknown) => void): () => void {
    let s = this.listeners.get(event);
    if (!s) this.listeners.set(event, (s = new Set()));
    s.add(listener);
    return () => s.delete(listener);
  }
  emit(event: string, payload: unknown): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }
  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

function setup(sessions: SessionSummary[], transcripts: Record<string, string>) {
  const t = new FakeTransport();
  t.handlers['sessions.list'] = () => sessions;
  t.handlers['boards.list'] = () => [{ id: 'mainstone', title: 'Mainstone', machine: 'mainstone', description: '' }];
  t.handlers['sessions.history'] = (i) => [{ sessionId: i.id, at: 1, kind: 'created', detail: '' }];
  t.handlers['console.transcript'] = (i) => {
    const data = transcripts[i.id as string] ?? '';
    return { data, totalBytes: new TextEncoder().encode(data).length, truncated: false };
  };
  const connected = new Set<(i: { reconnect: boolean }) => void>();
  const disconnected = new Set<() => void>();
  let started = false;
  const platform = {
    api: createApi(t),
    onConnected: (l: (i: { reconnect: boolean }) => void) => (connected.add(l), () => connected.delete(l)),
    onDisconnected: (l: () => void) => (disconnected.add(l), () => disconnected.delete(l)),
    onServerError: () => () => {},
    start: () => {
      started = true;
    },
  };
  const consoles = new ConsoleRegistry();
  const c = new AppController(platform, consoles);
  return {
    t,
    c,
    consoles,
    started: () => started,
    connect: (reconnect = false) => connected.forEach((l) => l({ reconnect })),
    disconnect: () => disconnected.forEach((l) => l()),
  };
}

describe('AppController', () => {
  beforeEach(() => {
    useSessions.setState({ byId: {}, order: [], selectedId: null, loaded: false, busy: {}, boards: [] });
    useHistory.setState({ bySession: {}, loading: {}, error: {} });
    useErrors.setState({ errors: [] });
  });

  it('subscribes before connecting, then loads sessions, boards, transcripts and history', async () => {
    const live = summary('live', { state: 'running', createdAt: 2, runs: 1 });
    const past = summary('past', { state: 'stopped', createdAt: 1, runs: 1 });
    const env = setup([live, past], { live: 'boot\r\n', past: 'old run\r\n' });
    env.c.start();
    expect(env.t.listeners.has('console.output')).toBe(true);
    expect(env.started()).toBe(true);
    // output that arrives before the list and the transcript is kept and deduplicated
    env.t.emit('console.output', { id: 'live', data: 'boot\r\n', offset: 0 });
    env.connect();
    env.t.emit('console.output', { id: 'live', data: '# ', offset: 6 });
    await flush();
    expect(useSessions.getState().order).toEqual(['live', 'past']);
    expect(useSessions.getState().selectedId).toBe('live');
    expect(useSessions.getState().boards).toHaveLength(1);
    expect(env.consoles.get('live').content()).toBe('boot\r\n# ');
    // past sessions are fetched lazily, when selected
    expect(env.t.calls.some((c) => c.method === 'console.transcript' && (c.input as { id: string }).id === 'past')).toBe(false);
    expect(useHistory.getState().bySession.live).toHaveLength(1);
    useSessions.getState().select('past');
    await flush();
    expect(env.consoles.get('past').content()).toBe('old run\r\n');
    expect(useHistory.getState().bySession.past).toHaveLength(1);
  });

  it('after a reconnect, refetches the list and the transcripts of what it may have missed', async () => {
    const s = summary('a', { state: 'running', runs: 1 });
    const transcripts = { a: 'one' };
    const env = setup([s], transcripts);
    env.c.start();
    env.connect();
    await flush();
    expect(env.consoles.get('a').content()).toBe('one');
    env.disconnect();
    expect(env.consoles.get('a').state).toBe('stale');
    transcripts.a = 'one two';
    env.connect(true);
    await flush();
    expect(env.t.count('sessions.list')).toBe(2);
    expect(env.consoles.get('a').content()).toBe('one two');
    expect(env.consoles.get('a').state).toBe('synced');
  });

  it('follows session.changed and session.removed', async () => {
    const env = setup([summary('a', { state: 'stopped', runs: 1 })], { a: 'run1\r\n' });
    env.c.start();
    env.connect();
    await flush();
    env.t.emit('session.changed', summary('a', { state: 'starting', runs: 2 }));
    expect(useSessions.getState().byId.a?.state).toBe('starting');
    expect(env.consoles.get('a').content()).toMatch(/^run1\r\n.*run 2/s);
    env.t.emit('session.changed', summary('b', { createdAt: 5000 }));
    expect(useSessions.getState().order).toEqual(['b', 'a']);
    env.t.emit('session.removed', { id: 'a' });
    expect(useSessions.getState().byId.a).toBeUndefined();
    expect(env.consoles.has('a')).toBe(false);
    expect(useSessions.getState().selectedId).toBe('b');
  });

  it('reports a failed load in the error banner', async () => {
    const env = setup([], {});
    env.t.handlers['sessions.list'] = () => {
      throw new Error('database is locked');
    };
    env.c.start();
    env.connect();
    await flush();
    expect(useErrors.getState().errors.map((e) => e.message)).toEqual(['database is locked']);
  });
});
