import { describe, expect, it } from 'vitest';
import type { Api } from '../../../../src-shared/transport';
import { monitorApiFrom } from './monitorApi';

describe('monitorApiFrom', () => {
  it('forwards to the typed API and sends signals through proc.signal', async () => {
    const calls: unknown[] = [];
    const api = {
      monitor: { state: async (i: unknown) => (calls.push(['monitor.state', i]), { run: 1 }) },
      inspect: { view: async (i: unknown) => (calls.push(['inspect.view', i]), { text: 'x' }) },
      proc: { signal: async (i: unknown) => (calls.push(['proc.signal', i]), { ok: true }) },
      on: () => () => {},
    } as unknown as Api;
    const m = monitorApiFrom(api);
    expect(await m.state({ id: 's' })).toEqual({ run: 1 });
    expect(await m.view({ id: 's', view: 'irq' })).toEqual({ text: 'x' });
    await m.signal({ id: 's', pid: 5, signal: 'SIGCONT' });
    expect(calls).toEqual([
      ['monitor.state', { id: 's' }],
      ['inspect.view', { id: 's', view: 'irq' }],
      ['proc.signal', { id: 's', pid: 5, signal: 'SIGCONT' }],
    ]);
  });

  it('a core without the monitor answers like an unknown method', async () => {
    const m = monitorApiFrom({ on: () => () => {} } as unknown as Api);
    await expect(m.series({ id: 's' })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/unknown method monitor\.series/) });
  });

  it('subscribes only to events the contract declares', () => {
    const subscribed: string[] = [];
    const api = { on: (e: string) => (subscribed.push(e), () => {}) } as unknown as Api;
    monitorApiFrom(api, { 'monitor.samples': {} }).on('monitor.samples', () => {});
    monitorApiFrom(api, {}).on('monitor.procs', () => {});
    expect(subscribed).toEqual(['monitor.samples']);
  });
});
