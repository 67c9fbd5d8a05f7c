import { describe, expect, it } from 'vitest';
import { alignRuns, IRQ_TOTAL, replayColumns } from './chartData';
import { point } from './testData';

describe('replayColumns', () => {
  it('puts samples on seconds since time zero with the Monitor quantities', () => {
    const c = replayColumns([point(9_000, { user: 20, system: 4, usedKb: 2048, irq: { '25': 10, '26': 5 } }), point(10_500, { host: null, irq: { '25': 1 } })], 10_000);
    expect(Array.from(c.x)).toEqual([-1, 0.5]);
    expect(c.cpu[0]).toBe(25); // user + nice + system
    expect(c.memUsed[0]).toBe(2);
    expect(Number.isNaN(c.qemuCpu[1]!)).toBe(true);
    expect(Array.from(c.irq(IRQ_TOTAL))).toEqual([15, 1]);
    expect(Array.from(c.irq('26'))).toEqual([5, 0]);
  });
});

describe('alignRuns', () => {
  it('joins replays on one x column, leaving the others empty at a replay’s own times', () => {
    const data = alignRuns([
      { x: Float64Array.of(0, 1), y: Float64Array.of(10, 11) },
      { x: Float64Array.of(0.5, 1), y: Float64Array.of(20, NaN) },
    ]);
    expect(Array.from(data[0])).toEqual([0, 0.5, 1]);
    expect(Array.from(data[1]!)).toEqual([10, undefined, 11]);
    // The missing figure stays a gap (null), widened over the alignment hole next to it.
    expect(Array.from(data[2]!)).toEqual([undefined, 20, null]);
  });
  it('is an empty x column without replays', () => {
    expect(alignRuns([])).toEqual([[]]);
  });
});
