import { describe, expect, it } from 'vitest';
import { lowerBound, PixelDecimator, upperBound } from './decimate';

const seq = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));

describe('PixelDecimator', () => {
  it('finds bounds', () => {
    const x = seq(5, (i) => i * 10);
    expect(upperBound(x, 10)).toBe(2);
    expect(upperBound(x, 9)).toBe(1);
    expect(lowerBound(x, -1)).toBe(0);
    expect(lowerBound(x, 10)).toBe(1);
    expect(lowerBound(x, 11)).toBe(2);
    expect(lowerBound(x, 99)).toBe(5);
  });

  it('passes few points through as views of the visible part plus one each side', () => {
    const x = seq(100, (i) => i);
    const y = seq(100, (i) => i * 2);
    const m = new PixelDecimator();
    m.plan(x, 10, 20, 1000);
    expect([...m.xs(x)]).toEqual([...seq(13, (i) => 9 + i)]);
    expect(m.ys(y, 'a')[0]).toBe(18);
    expect(m.ys(y, 'a').buffer).toBe(y.buffer); // no copy
  });

  it('keeps the low and the high of each pixel column, in the order they came', () => {
    // 1000 points over 10 pixel columns: 100 per column; a peak then a dip in column 3, the reverse in 5.
    const x = seq(1000, (i) => i);
    const y = seq(1000, (i) => (i === 350 || i === 560 ? 99 : i === 360 || i === 550 ? -5 : i % 7));
    const m = new PixelDecimator();
    m.plan(x, 0, 1000, 10);
    const xs = m.xs(x);
    const ys = m.ys(y, 'y');
    expect(xs.length).toBeLessThanOrEqual(2 * 10 + 1);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThan(xs[i - 1]!);
    // Column k is at [2k, 2k+1] (the range starts at the first point: no point before it).
    expect([...xs.subarray(6, 8)]).toEqual([300, 399]);
    expect([...ys.subarray(6, 8)]).toEqual([99, -5]);
    expect([...ys.subarray(10, 12)]).toEqual([-5, 99]);
    expect([...ys.subarray(0, 2)]).toEqual([0, 6]);
  });

  it('keeps a column without figures as a gap, and one series does not disturb another', () => {
    const x = seq(400, (i) => i);
    const a = seq(400, (i) => (i < 100 ? Number.NaN : 1));
    const b = seq(400, () => 7);
    const m = new PixelDecimator();
    m.plan(x, 0, 400, 4);
    const ya = [...m.ys(a, 'a')];
    const yb = [...m.ys(b, 'b')];
    expect(ya.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(ya.slice(2).every((v) => v === 1)).toBe(true);
    expect(yb.every((v) => v === 7)).toBe(true);
  });
});
