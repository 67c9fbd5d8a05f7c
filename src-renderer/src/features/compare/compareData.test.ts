import { describe, expect, it } from 'vitest';
import type { MethodInput, MethodOutput } from '../../../../src-shared/contract';
import { CONTEXT_MS, exclusionOf, loadReplays, NO_SAMPLES, runFor, type CompareApi } from './compareData';
import { point, report } from './testData';

type Runs = MethodOutput<'monitor.runs'>;

function fakeApi(reports: Record<string, ReturnType<typeof report>>, runs: Runs, samples: number[]) {
  const seriesCalls: MethodInput<'monitor.series'>[] = [];
  const api: CompareApi = {
    report: async (id) => {
      const r = reports[id];
      if (!r) throw new Error(`no replay ${id}`);
      return r;
    },
    runs: async () => runs,
    series: async (input) => {
      seriesCalls.push(input);
      return { run: input.run ?? 1, points: samples.map((t) => point(t)), irqLines: [{ id: '25', name: 'SC 25 Level mmc' }], procTimes: [] };
    },
  };
  return { api, seriesCalls };
}

describe('runFor', () => {
  it('picks the run overlapping the window most, not the latest', () => {
    const runs: Runs = [
      { run: 1, from: 0, to: 1000, samples: 10, procSnapshots: 0 },
      { run: 2, from: 2000, to: 9000, samples: 10, procSnapshots: 0 },
      { run: 3, from: 9500, to: 20000, samples: 10, procSnapshots: 0 },
    ];
    expect(runFor(runs, 3000, 9600)).toBe(2);
    expect(runFor(runs, 9000, 15000)).toBe(3);
    expect(runFor(runs, 1100, 1900)).toBeNull();
  });
});

describe('loadReplays', () => {
  const t0 = 1_000_000;
  const done = report({ replay: { replayId: 'p00000001', startedAt: t0, endedAt: t0 + 5000 } });
  const runs: Runs = [{ run: 4, from: t0 - 60_000, to: t0 + 60_000, samples: 1200, procSnapshots: 0 }];

  it('asks for the samples from 2 s before time zero to 2 s after the end, in the right run', async () => {
    const { api, seriesCalls } = fakeApi({ p00000001: done }, runs, [t0 - 2500, t0 - 1000, t0 + 100, t0 + 7500]);
    const [load] = await loadReplays(api, ['p00000001']);
    expect(seriesCalls[0]).toMatchObject({ id: 'board-one', run: 4, from: t0 - CONTEXT_MS, to: t0 + 5000 + CONTEXT_MS });
    expect(load).toMatchObject({ status: 'loaded', excluded: null, monitorNote: null });
    // A core that answers a little wide is cut to the window.
    expect(load!.status === 'loaded' && load!.points.map((p) => p.t)).toEqual([t0 - 1000, t0 + 100]);
  });

  it('says so when the session was not monitored during the replay', async () => {
    const { api } = fakeApi({ p00000001: done }, [{ run: 1, from: 0, to: 10, samples: 1, procSnapshots: 0 }], []);
    const [load] = await loadReplays(api, ['p00000001']);
    expect(load).toMatchObject({ status: 'loaded', monitorNote: NO_SAMPLES, points: [] });
    const { api: empty } = fakeApi({ p00000001: done }, runs, []);
    expect((await loadReplays(empty, ['p00000001']))[0]).toMatchObject({ monitorNote: NO_SAMPLES });
  });

  it('keeps a failed replay (excluded from Δ) and a replay that cannot be loaded next to the good ones', async () => {
    const failed = report({ replay: { replayId: 'p00000002', state: 'failed', error: 'session stopped', startedAt: t0, endedAt: t0 + 100 } });
    const { api } = fakeApi({ p00000001: done, p00000002: failed }, runs, [t0 + 10]);
    const loads = await loadReplays(api, ['p00000001', 'p00000002', 'p00000003']);
    expect(loads.map((l) => l.status)).toEqual(['loaded', 'loaded', 'error']);
    expect(loads[1]).toMatchObject({ excluded: 'failed: session stopped' });
    expect(loads[2]).toMatchObject({ error: 'no replay p00000003' });
  });

  it('does not ask the monitor about a replay that never started', async () => {
    const never = report({ replay: { state: 'cancelled', startedAt: null, endedAt: null } });
    const { api, seriesCalls } = fakeApi({ p00000001: never }, runs, [t0]);
    const [load] = await loadReplays(api, ['p00000001']);
    expect(seriesCalls).toHaveLength(0);
    expect(load).toMatchObject({ excluded: 'cancelled', monitorNote: 'no samples: the replay never started' });
  });

  it('turns a failing monitor call into a note, not a lost replay', async () => {
    const { api } = fakeApi({ p00000001: done }, runs, []);
    api.runs = async () => {
      throw new Error('no such session');
    };
    const [load] = await loadReplays(api, ['p00000001']);
    expect(load).toMatchObject({ status: 'loaded', monitorNote: 'no samples: no such session' });
  });
});

describe('exclusionOf', () => {
  it('counts only finished replays', () => {
    expect(exclusionOf(report())).toBeNull();
    expect(exclusionOf(report({ replay: { state: 'failed', error: null } }))).toBe('failed: no reason given');
    expect(exclusionOf(report({ replay: { state: 'running' } }))).toBe('not finished (running)');
  });
});
