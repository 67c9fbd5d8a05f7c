import { describe, expect, it } from 'vitest';
import { compareTable, deltaOf, formatDelta, formatValue, meanCpuPct, peakUsedMiB, type CompareInput } from './compareTable';
import { key, point, report } from './testData';

const run = (startedAt: number, loginMs: number, endMs: number, patch: { state?: 'done' | 'failed' | 'cancelled'; cpu?: number } = {}): CompareInput => {
  const r = report({
    replay: { startedAt, endedAt: startedAt + endMs, state: patch.state ?? 'done' },
    events: [key('k1', 100_000)],
    markers: [{ us: loginMs * 1000, text: 'login' }],
  });
  const points = [point(startedAt - 1000, { user: 99 }), point(startedAt + 10, { user: patch.cpu ?? 10, usedKb: 30 * 1024 }), point(startedAt + 20, { user: patch.cpu ?? 10 })];
  return { report: r, points, usable: (patch.state ?? 'done') === 'done' };
};

describe('compareTable', () => {
  it('matches segments across replays and gives every non-baseline replay a Δ', () => {
    const t = compareTable([run(1_000_000, 1000, 3000), run(2_000_000, 1200, 3010)]);
    expect(t.mode).toBe('markers');
    expect(t.baseline).toBe(0);
    const login = t.rows.find((r) => r.key === 'chain:start→marker:login#1')!;
    expect(login.values).toEqual([1000, 1200]);
    expect(login.deltas[0]).toBeNull();
    expect(login.deltas[1]).toMatchObject({ abs: 200, rel: 0.2, highlight: true });
    const tail = t.rows.find((r) => r.key === 'chain:marker:login#1→end')!;
    expect(tail.values).toEqual([2000, 1810]);
    expect(tail.deltas[1]!.highlight).toBe(false); // −9.5 %: under 10 %
    // The chain first, then input → response.
    expect(t.rows.map((r) => r.kind)).toEqual(['chain', 'chain', 'response']);
    expect(t.rows[2]!.values).toEqual([900, 1100]);
  });

  it('leaves a failed replay out of Δ and takes the first finished one as the baseline', () => {
    const t = compareTable([run(1_000_000, 500, 900, { state: 'failed' }), run(2_000_000, 1000, 3000), run(3_000_000, 1500, 3000)]);
    expect(t.baseline).toBe(1);
    const login = t.rows.find((r) => r.key === 'chain:start→marker:login#1')!;
    expect(login.values).toEqual([500, 1000, 1500]);
    expect(login.deltas).toEqual([null, null, { abs: 500, rel: 0.5, highlight: true }]);
    expect(t.deltaColumns).toEqual([false, false, true]);
  });

  it('has no baseline and no Δ when nothing finished', () => {
    const t = compareTable([run(1_000_000, 500, 900, { state: 'cancelled' }), { report: null, points: [], usable: false }]);
    expect(t.baseline).toBeNull();
    expect(t.deltaColumns).toEqual([false, false]);
    expect(t.rows.every((r) => r.deltas.every((d) => d === null))).toBe(true);
  });

  it('summarises total duration, mean CPU and peak memory over the run only, and the stats in ms', () => {
    const t = compareTable([run(1_000_000, 1000, 3000, { cpu: 10 }), run(2_000_000, 1000, 3000, { cpu: 30 })]);
    const by = Object.fromEntries(t.summary.map((r) => [r.key, r]));
    expect(by.total!.values).toEqual([3000, 3000]);
    // user + nice + system = 10 + 1 + 5; the sample before time zero (99 %) is not in the run.
    expect(by['cpu-mean']!.values).toEqual([16, 36]);
    expect(by['cpu-mean']!.deltas[1]).toMatchObject({ abs: 20, highlight: true });
    expect(by['mem-peak']!.values).toEqual([30, 30]);
    expect(by['inject-p99']!.values).toEqual([0.9, 0.9]);
    expect([by.total!.digits, by['inject-p99']!.digits]).toEqual([1, 2]);
    expect(by['guest-p99']!.values).toEqual([1.5, 1.5]);
  });

  it('uses event segments when no report has a marker', () => {
    const a = report({ replay: { startedAt: 0, endedAt: 1000 } });
    const t = compareTable([
      { report: a, points: [], usable: true },
      { report: a, points: [], usable: true },
    ]);
    expect(t.mode).toBe('events');
    expect(t.rows).toHaveLength(1);
  });

  it('has no CPU or memory figure without samples', () => {
    expect(meanCpuPct(report(), [])).toBeNull();
    expect(peakUsedMiB(report(), [])).toBeNull();
  });
});

describe('deltaOf', () => {
  it('highlights only above 10 % and above the unit floor', () => {
    expect(deltaOf(106, 100, 'ms')!.highlight).toBe(false); // 6 %
    expect(deltaOf(14, 10, 'ms')!.highlight).toBe(false); // 40 % but 4 ms
    expect(deltaOf(16, 10, 'ms')!.highlight).toBe(true);
    expect(deltaOf(80, 100, 'ms')!.highlight).toBe(true); // faster counts too
    expect(deltaOf(6, 0, 'ms')).toEqual({ abs: 6, rel: null, highlight: true });
    expect(deltaOf(null, 10, 'ms')).toBeNull();
    expect(deltaOf(10, null, 'ms')).toBeNull();
  });
});

describe('formatting', () => {
  it('writes 1 decimal with true minus signs', () => {
    expect(formatValue(12.345)).toBe('12.3');
    expect(formatValue(-3.25)).toBe('−3.3');
    expect(formatValue(null)).toBe('—');
    expect(formatDelta({ abs: 12.34, rel: 0.0812, highlight: false })).toBe('+12.3 (+8.1 %)');
    expect(formatDelta({ abs: -0.04, rel: -0.0001, highlight: false })).toBe('±0.0 (±0.0 %)');
    expect(formatDelta({ abs: 3, rel: null, highlight: true })).toBe('+3.0');
    expect(formatDelta(null)).toBe('');
    expect(formatValue(0.854, 2)).toBe('0.85');
    expect(formatDelta({ abs: 0.125, rel: 0.1, highlight: false }, 2)).toBe('+0.13 (+10.0 %)');
  });
});
