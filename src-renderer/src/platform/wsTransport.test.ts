import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BenchtopError } from '../../../src-shared/errors';
import { createApi } from '../../../src-shared/transport';
import { backoffDelay, ConnectionError, DEFAULT_BACKOFF, WsTransport, type ConnectionStatus, type SocketLike } from './wsTransport';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closed: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  // server side helpers
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const statuses: ConnectionStatus[] = [];
  const t = new WsTransport({
    url: 'ws://127.0.0.1:1234/ws?token=t',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    random: () => 0.5, // no jitter
    backoff: { initialMs: 100, maxMs: 1000, factor: 2 },
  });
  t.onStatus((s) => statuses.push(s));
  t.start();
  return { t, sockets, statuses, last: () => sockets[sockets.length - 1]! };
}

describe('WsTransport', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('queues calls made while connecting and resolves them from results', async () => {
    const { t, last } = setup();
    const p = t.invoke('sessions.list', {});
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([{ t: 'call', id: 1, method: 'sessions.list', input: {} }]);
    last().receive({ t: 'result', id: 1, ok: true, output: [] });
    await expect(p).resolves.toEqual([]);
  });

  it('rejects with the server error code and message', async () => {
    const { t, last } = setup();
    last().open();
    const p = t.invoke('sessions.pause', { id: 'a' });
    last().receive({ t: 'result', id: 1, ok: false, error: { code: 'invalid-state', message: 'session a is stopped' } });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchtopError);
    expect((err as BenchtopError).code).toBe('invalid-state');
    expect((err as BenchtopError).message).toBe('session a is stopped');
  });

  it('matches results to calls by id, in any order', async () => {
    const { t, last } = setup();
    last().open();
    const a = t.invoke('a.x', {});
    const b = t.invoke('b.y', {});
    last().receive({ t: 'result', id: 2, ok: true, output: 'B' });
    last().receive({ t: 'result', id: 1, ok: true, output: 'A' });
    await expect(a).resolves.toBe('A');
    await expect(b).resolves.toBe('B');
  });

  it('delivers pushed events to subscribers until they unsubscribe', () => {
    const { t, last } = setup();
    last().open();
    const got: unknown[] = [];
    const off = t.subscribe('console.output', (p) => got.push(p));
    t.subscribe('session.changed', () => got.push('wrong'));
    last().receive({ t: 'event', event: 'console.output', payload: { id: 's', data: 'hi', offset: 0 } });
    off();
    last().receive({ t: 'event', event: 'console.output', payload: { id: 's', data: 'again', offset: 2 } });
    expect(got).toEqual([{ id: 's', data: 'hi', offset: 0 }]);
  });

  it('a throwing listener does not stop the others', () => {
    const { t, last } = setup();
    last().open();
    const got: unknown[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    t.subscribe('e', () => {
      throw new Error('boom');
    });
    t.subscribe('e', (p) => got.push(p));
    last().receive({ t: 'event', event: 'e', payload: 1 });
    expect(got).toEqual([1]);
    spy.mockRestore();
  });

  it('ignores garbage frames', () => {
    const { t, last } = setup();
    last().open();
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const got: unknown[] = [];
    t.subscribe('e', (p) => got.push(p));
    last().receive('not json {');
    last().receive({ t: 'what' });
    last().receive({ t: 'result', id: 99, ok: true, output: 1 });
    last().receive({ t: 'event', event: 'e', payload: 2 });
    expect(got).toEqual([2]);
    spy.mockRestore();
  });

  it('reports {"t":"error"} frames', () => {
    const { t, last } = setup();
    last().open();
    const errs: unknown[] = [];
    t.onServerError((e) => errs.push(e));
    last().receive({ t: 'error', error: { code: 'bad-request', message: 'frame too large' } });
    expect(errs).toEqual([{ code: 'bad-request', message: 'frame too large' }]);
  });

  it('rejects calls in flight with a clear error when the socket drops', async () => {
    const { t, last } = setup();
    last().open();
    const p = t.invoke('sessions.stop', { id: 'a' });
    last().drop(1006);
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(String((err as Error).message)).toMatch(/lost.*sessions\.stop/);
  });

  it('rejects calls at once while disconnected', async () => {
    const { t, last } = setup();
    last().open();
    last().drop();
    await expect(t.invoke('sessions.list', {})).rejects.toThrow(/Not connected/);
  });

  it('reconnects with exponential backoff and reports a reconnect', () => {
    const { sockets, statuses, last } = setup();
    last().open();
    expect(statuses.at(-1)).toMatchObject({ kind: 'open', reconnect: false });
    last().drop();
    expect(statuses.at(-1)).toMatchObject({ kind: 'disconnected' });
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(99);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2); // first retry after 100 ms
    last().drop(); // server still down
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3); // then 200 ms
    last().open();
    expect(statuses.at(-1)).toMatchObject({ kind: 'open', reconnect: true });
  });

  it('keeps event subscriptions across reconnects', () => {
    const { t, last } = setup();
    const got: unknown[] = [];
    t.subscribe('e', (p) => got.push(p));
    last().open();
    last().drop();
    vi.advanceTimersByTime(100);
    last().open();
    last().receive({ t: 'event', event: 'e', payload: 'after' });
    expect(got).toEqual(['after']);
  });

  it('frames of an old socket are ignored', () => {
    const { t, sockets, last } = setup();
    const got: unknown[] = [];
    t.subscribe('e', (p) => got.push(p));
    last().open();
    last().drop();
    vi.advanceTimersByTime(100);
    sockets[0]!.receive({ t: 'event', event: 'e', payload: 'stale' });
    expect(got).toEqual([]);
  });

  it('reconnectNow skips the wait', () => {
    const { t, sockets, last } = setup();
    last().open();
    last().drop();
    t.reconnectNow();
    expect(sockets).toHaveLength(2);
  });

  it('dispose closes the socket and stops reconnecting', async () => {
    const { t, sockets, last } = setup();
    last().open();
    const p = t.invoke('x.y', {});
    t.dispose();
    await expect(p).rejects.toBeInstanceOf(ConnectionError);
    expect(sockets[0]!.closed).toMatchObject({ code: 1000 });
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('works under the typed api proxy from src-shared', async () => {
    const { t, last } = setup();
    const api = createApi(t);
    last().open();
    const p = api.console.write({ id: 'abc', data: 'ls\r' });
    expect(last().sent).toEqual([{ t: 'call', id: 1, method: 'console.write', input: { id: 'abc', data: 'ls\r' } }]);
    last().receive({ t: 'result', id: 1, ok: true, output: { ok: true } });
    await expect(p).resolves.toEqual({ ok: true });
  });
});

describe('backoffDelay', () => {
  it('grows by the factor up to the maximum', () => {
    const o = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([1, 2, 3, 4, 10, 50].map((n) => backoffDelay(n, o))).toEqual([250, 500, 1000, 2000, 10000, 10000]);
  });
  it('stays within the jitter band', () => {
    const o = { initialMs: 1000, maxMs: 1000, factor: 2, jitter: 0.2 };
    expect(backoffDelay(1, o, () => 0)).toBe(800);
    expect(backoffDelay(1, o, () => 1)).toBe(1200);
  });
});
