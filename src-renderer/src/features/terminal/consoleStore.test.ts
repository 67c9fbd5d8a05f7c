import { describe, expect, it } from 'vitest';
import { ConsoleRegistry } from './consoleStore';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type T = { data: string; totalBytes: number; truncated: boolean };

function fakeApi() {
  const calls: { id: string; d: ReturnType<typeof deferred<T>> }[] = [];
  const api = {
    console: {
      transcript: (input?: { id: string }) => {
        const d = deferred<T>();
        calls.push({ id: input!.id, d });
        return d.promise;
      },
      write: () => Promise.resolve({ ok: true as const }),
    },
  };
  return { api, calls };
}

describe('ConsoleRegistry', () => {
  it('routes console.output to per-session buffers, from before any terminal exists', async () => {
    const reg = new ConsoleRegistry();
    const { api, calls } = fakeApi();
    reg.onOutput({ id: 'a', data: 'hello ', offset: 0 });
    reg.onOutput({ id: 'b', data: 'other', offset: 0 });
    const p = reg.sync(api, 'a');
    reg.onOutput({ id: 'a', data: 'world', offset: 6 });
    calls[0]!.d.resolve({ data: 'hello ', totalBytes: 6, truncated: false });
    await p;
    expect(reg.get('a').content()).toBe('hello world');
    expect(reg.get('b').state).toBe('unsynced');
  });

  it('shares one fetch between concurrent syncs and skips synced buffers', async () => {
    const reg = new ConsoleRegistry();
    const { api, calls } = fakeApi();
    const p1 = reg.sync(api, 'a');
    const p2 = reg.sync(api, 'a');
    expect(calls).toHaveLength(1);
    calls[0]!.d.resolve({ data: '', totalBytes: 0, truncated: false });
    await Promise.all([p1, p2]);
    await reg.sync(api, 'a');
    expect(calls).toHaveLength(1);
    void reg.sync(api, 'a', { force: true });
    expect(calls).toHaveLength(2);
  });

  it('resyncs stale buffers after a reconnect', async () => {
    const reg = new ConsoleRegistry();
    const { api, calls } = fakeApi();
    const p = reg.sync(api, 'a');
    calls[0]!.d.resolve({ data: 'x', totalBytes: 1, truncated: false });
    await p;
    reg.markAllStale();
    const p2 = reg.sync(api, 'a');
    expect(calls).toHaveLength(2);
    calls[1]!.d.resolve({ data: 'xy', totalBytes: 2, truncated: false });
    await p2;
    expect(reg.get('a').content()).toBe('xy');
  });

  it('a failed fetch rejects and leaves the buffer ready for another try', async () => {
    const reg = new ConsoleRegistry();
    const { api, calls } = fakeApi();
    const p = reg.sync(api, 'a');
    reg.onOutput({ id: 'a', data: 'live', offset: 50 });
    calls[0]!.d.reject(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
    expect(reg.get('a').content()).toBe('live');
    expect(reg.get('a').needsSync).toBe(true);
  });

  it('delete forgets a session', () => {
    const reg = new ConsoleRegistry();
    reg.onOutput({ id: 'a', data: 'x', offset: 0 });
    reg.delete('a');
    expect(reg.has('a')).toBe(false);
  });
});
