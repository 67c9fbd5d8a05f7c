import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IcountWatch } from './icount-watch';

describe('IcountWatch', () => {
  it('a count that keeps moving is never diverged, however long', () => {
    const w = new IcountWatch(10_000);
    for (let t = 0; t < 100_000; t += 1000) expect(w.observe(t * 7, true, t)).toBe(false);
    expect(w.last).toBe(99_000 * 7);
  });

  it('a count frozen while running is diverged after frozenMs, not before', () => {
    const w = new IcountWatch(10_000);
    expect(w.observe(5, true, 0)).toBe(false);
    expect(w.observe(6, true, 1000)).toBe(false);
    expect(w.observe(6, true, 10_999)).toBe(false);
    expect(w.observe(6, true, 11_000)).toBe(true);
  });

  it('paused time and failed polls (null) do not count as frozen running time', () => {
    const w = new IcountWatch(10_000);
    w.observe(6, true, 0);
    expect(w.observe(6, false, 30_000)).toBe(false); // paused: the clock restarts
    expect(w.observe(6, true, 39_000)).toBe(false);
    expect(w.observe(null, true, 39_500)).toBe(false);
    expect(w.observe(6, true, 40_000)).toBe(true);
  });

  it('diverged ⇔ some running stretch without a change reached frozenMs (random polls)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ dt: fc.integer({ min: 1, max: 4000 }), moved: fc.boolean(), running: fc.boolean() }), { maxLength: 60 }), (polls) => {
        const w = new IcountWatch(10_000);
        let t = 0;
        let icount = 0;
        let since = 0;
        w.observe(icount, true, t);
        for (const p of polls) {
          t += p.dt;
          if (p.moved) icount++;
          const expected = !p.moved && p.running && t - since >= 10_000;
          if (p.moved || !p.running) since = t;
          expect(w.observe(icount, p.running, t)).toBe(expected);
        }
      }),
    );
  });
});
