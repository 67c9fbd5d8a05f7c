import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcStat, stealPct } from './host-cpu';

const SAMPLE = `cpu  2562585 11459 436842 3003289 11193 0 28963 256678 0 0
cpu0 1281292 5729 218421 1501644 5596 0 14481 128339 0 0
intr 1 2 3
`;

describe('host CPU times (/proc/stat)', () => {
  it('reads steal and the total from the cpu line', () => {
    expect(parseProcStat(SAMPLE)).toEqual({ steal: 256678, total: 2562585 + 11459 + 436842 + 3003289 + 11193 + 0 + 28963 + 256678 });
  });

  it('no cpu line, too few columns or non-numbers: null, never a throw', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('cpu  1 2 3 4\n')).toBeNull();
    expect(parseProcStat('cpu  1 2 3 4 5 6 7 x 0 0\n')).toBeNull();
    fc.assert(fc.property(fc.string(), (s) => void parseProcStat(s)));
  });

  it('steal % between two readings; null when the clock did not move or a reading is missing', () => {
    expect(stealPct({ steal: 10, total: 1000 }, { steal: 60, total: 1500 })).toBe(10);
    expect(stealPct({ steal: 10, total: 1000 }, { steal: 10, total: 1000 })).toBeNull();
    expect(stealPct(null, { steal: 1, total: 2 })).toBeNull();
    fc.assert(
      fc.property(fc.nat(1e6), fc.nat(1e6), fc.integer({ min: 1, max: 1e6 }), fc.nat(), (s0, t0, dt, ds) => {
        const d = Math.min(ds, dt);
        const p = stealPct({ steal: s0, total: t0 + s0 }, { steal: s0 + d, total: t0 + s0 + dt })!;
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(100);
      }),
    );
  });
});
