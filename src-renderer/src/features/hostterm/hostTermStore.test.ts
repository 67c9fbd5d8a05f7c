import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BenchtopError } from '../../../../src-shared/errors';
import type { HostTerminalInfo } from '../../../../src-shared/features/hostterm';
import { HostTermRegistry, useHostTerms, type HostTermApi } from './hostTermStore';

const tick = () => new Promise((r) => setTimeout(r, 0));

function fakeApi() {
  const terms: (HostTerminalInfo & { backlog: string; total: number })[] = [];
  let n = 0;
  const calls: string[] = [];
  const api = {
    hostterm: {
      list: vi.fn(async ({ sessionId }: { sessionId: string }) => terms.filter((t) => t.sessionId === sessionId).map(({ backlog: _b, total: _t, ...info }) => info)),
      open: vi.fn(async ({ sessionId, cols, rows }: { sessionId: string; cols: number; rows: number }) => {
        calls.push(`open ${cols}x${rows}`);
        const t = { termId: `t0000000${++n}`, sessionId, cwd: `/ws/${sessionId}/host`, shell: '/bin/bash', pid: 100 + n, exited: false, backlog: '', total: 0 };
        terms.push(t);
        const { backlog: _b, total: _t, ...info } = t;
        return info;
      }),
      backlog: vi.fn(async ({ termId }: { termId: string }) => {
        const t = terms.find((x) => x.termId === termId);
        if (!t) throw new BenchtopError('not-found', `no host terminal ${termId}`);
        return { data: t.backlog, totalChars: t.total };
      }),
      write: vi.fn(async ({ data }: { termId: string; data: string }) => {
        calls.push(`write ${data}`);
        return { ok: true as const };
      }),
      resize: vi.fn(async ({ cols, rows }: { termId: string; cols: number; rows: number }) => {
        calls.push(`resize ${cols}x${rows}`);
        return { ok: true as const };
      }),
      close: vi.fn(async ({ termId }: { termId: string }) => {
        calls.push(`close ${termId}`);
        const i = terms.findIndex((t) => t.termId === termId);
        if (i >= 0) terms.splice(i, 1);
        return { ok: true as const };
      }),
    },
  };
  return { api: api as unknown as HostTermApi, terms, calls, raw: api };
}

describe('HostTermRegistry', () => {
  beforeEach(() => useHostTerms.setState({ bySession: {} }));

  it('opens one shell per session, filled from the backlog, then follows live output by offset', async () => {
    const { api, terms, raw } = fakeApi();
    const r = new HostTermRegistry();
    const p1 = r.ensure(api, 's1');
    const p2 = r.ensure(api, 's1');
    expect(p1).toBe(p2);
    await p1;
    expect(raw.hostterm.open).toHaveBeenCalledTimes(1);
    const termId = r.termId('s1')!;
    expect(useHostTerms.getState().bySession.s1).toMatchObject({ termId, cwd: '/ws/s1/host', opening: false, error: null });
    r.onOutput({ termId, data: '$ ', offset: 0 });
    r.onOutput({ termId, data: '$ ', offset: 0 }); // twice
    r.onOutput({ termId, data: 'ls\r\n', offset: 2 });
    expect(r.buffer('s1')!.content()).toBe('$ ls\r\n');
    await r.ensure(api, 's1'); // live: nothing happens
    expect(raw.hostterm.open).toHaveBeenCalledTimes(1);
    expect(terms).toHaveLength(1);
  });

  it('drops live chunks the backlog already holds (they raced the fetch)', async () => {
    const { api, terms } = fakeApi();
    const r = new HostTermRegistry();
    await r.ensure(api, 's1');
    const termId = r.termId('s1')!;
    // reconnect: the server printed more meanwhile
    r.markAllStale();
    terms[0]!.backlog = 'hello world';
    terms[0]!.total = 11;
    const sync = r.resyncAll(api);
    r.onOutput({ termId, data: 'world', offset: 6 }); // arrives during the fetch, contained in it
    r.onOutput({ termId, data: '!', offset: 11 });
    await sync;
    expect(r.buffer('s1')!.content()).toBe('hello world!');
  });

  it('adopts a shell the server still runs (page reload) instead of opening another', async () => {
    const { api, terms, raw } = fakeApi();
    terms.push({ termId: 't0000abcd', sessionId: 's1', cwd: '/c', shell: 'sh', pid: 5, exited: false, backlog: 'x'.repeat(10), total: 500 });
    const r = new HostTermRegistry();
    await r.ensure(api, 's1');
    expect(raw.hostterm.open).not.toHaveBeenCalled();
    expect(r.termId('s1')).toBe('t0000abcd');
    expect(r.buffer('s1')!.content()).toMatch(/earlier output not shown[\s\S]*xxxxxxxxxx$/);
    r.onOutput({ termId: 't0000abcd', data: 'late', offset: 499 }); // below totalChars
    r.onOutput({ termId: 't0000abcd', data: 'new', offset: 500 });
    expect(r.buffer('s1')!.content().endsWith('xnew')).toBe(true);
  });

  it('output that arrives before open answers is kept for it', async () => {
    const { api } = fakeApi();
    const r = new HostTermRegistry();
    r.onOutput({ termId: 't00000001', data: 'early', offset: 0 });
    await r.ensure(api, 's1');
    expect(r.termId('s1')).toBe('t00000001');
    expect(r.buffer('s1')!.content()).toBe('early');
  });

  it('shows an exit, stops writing, and reopens (closing the old one) on ensure', async () => {
    const { api, calls } = fakeApi();
    const r = new HostTermRegistry();
    await r.ensure(api, 's1');
    const first = r.termId('s1')!;
    r.write('s1', 'exit\r');
    await tick();
    r.onExit({ termId: first, exitCode: 0, signal: null });
    expect(useHostTerms.getState().bySession.s1!.exit).toEqual({ exitCode: 0, signal: null });
    expect(r.buffer('s1')!.content()).toContain('[the shell ended: exit code 0]');
    expect(r.isLive('s1')).toBe(false);
    r.write('s1', 'ignored');
    await r.ensure(api, 's1');
    const second = r.termId('s1')!;
    expect(second).not.toBe(first);
    expect(useHostTerms.getState().bySession.s1).toMatchObject({ termId: second, exit: null });
    expect(calls).toEqual(['open 100x30', 'write exit\r', `close ${first}`, 'open 100x30']);
  });

  it('opens at the size of the last fitted view and resizes the live shell', async () => {
    const { api, calls } = fakeApi();
    const r = new HostTermRegistry();
    r.resize(api, 's1', 120, 40); // no shell yet: only remembered
    await r.ensure(api, 's1');
    r.resize(api, 's1', 90, 20);
    await tick();
    expect(calls).toEqual(['open 120x40', 'resize 90x20']);
  });

  it('a shell the server forgot (restart) is marked lost and replaced on ensure', async () => {
    const { api, terms, raw } = fakeApi();
    const r = new HostTermRegistry();
    await r.ensure(api, 's1');
    terms.length = 0; // server restarted
    r.markAllStale();
    await r.resyncAll(api);
    expect(useHostTerms.getState().bySession.s1!.lost).toBe(true);
    await r.ensure(api, 's1');
    expect(raw.hostterm.open).toHaveBeenCalledTimes(2);
    expect(useHostTerms.getState().bySession.s1!.lost).toBe(false);
  });

  it('a failed open is shown in the view and can be retried', async () => {
    const { api, raw } = fakeApi();
    raw.hostterm.open.mockRejectedValueOnce(new BenchtopError('missing-tool', 'node-pty is not built'));
    const r = new HostTermRegistry();
    await r.ensure(api, 's1');
    expect(useHostTerms.getState().bySession.s1).toMatchObject({ error: 'node-pty is not built', opening: false });
    await r.ensure(api, 's1');
    expect(useHostTerms.getState().bySession.s1).toMatchObject({ error: null });
    expect(r.isLive('s1')).toBe(true);
  });

  it('forget drops the session', async () => {
    const { api } = fakeApi();
    const r = new HostTermRegistry();
    await r.ensure(api, 's1');
    r.forget('s1');
    expect(r.buffer('s1')).toBeNull();
    expect(useHostTerms.getState().bySession.s1).toBeUndefined();
  });
});
