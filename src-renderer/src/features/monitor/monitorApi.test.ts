import { describe, expect, it } from 'vitest';
import { monitorApiFrom } from './monitorApi';

describe('monitorApiFrom', () => {
  it('maps the pane’s calls onto monitor.*, inspect.* and proc.signal, and passes events through', async () => {
    const calls: unknown[] = [];
    const rec = (name: string, out: unknown) => async (i: unknown) => (calls.push([name, i]), out);
    const api = {
      monitor: { state: rec('monitor.state', { run: 1 }), series: rec('monitor.series', { run: 1, points: [] }) },
      inspect: { view: rec('inspect.view', { text: 'x' }), memory: rec('inspect.memory', { base64: '' }) },
      proc: { signal: rec('proc.signal', { ok: true }) },
      on: (e: string) => (calls.push(['on', e]), () => {}),
    };
    const m = monitorApiFrom(api as never);
    expect(await m.state({ id: 's' })).toEqual({ run: 1 });
    await m.series({ id: 's', run: 2 });
    expect(await m.view({ id: 's', view: 'irq' })).toEqual({ text: 'x' });
    await m.memory({ id: 's', space: 'virtual', address: 16 });
    expect(await m.signal({ id: 's', pid: 5, signal: 'SIGCONT' })).toBeUndefined();
    m.on('monitor.samples', () => {});
    expect(calls).toEqual([
      ['monitor.state', { id: 's' }],
      ['monitor.series', { id: 's', run: 2 }],
      ['inspect.view', { id: 's', view: 'irq' }],
      ['inspect.memory', { id: 's', space: 'virtual', address: 16 }],
      ['proc.signal', { id: 's', pid: 5, signal: 'SIGCONT' }],
      ['on', 'monitor.samples'],
    ]);
  });
});
