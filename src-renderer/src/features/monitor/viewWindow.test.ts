import { describe, expect, it } from 'vitest';
import { panBy, selectedRange, xRange, zoomAround } from './viewWindow';

describe('view window', () => {
  it('follows the newest sample with the chosen span', () => {
    expect(xRange({ kind: 'follow', span: 30 }, 0, 100)).toEqual([70, 100]);
    expect(xRange({ kind: 'follow', span: 'all' }, 5, 100)).toEqual([5, 100]);
    expect(xRange({ kind: 'follow', span: 'all' }, 100, 100)).toEqual([99.8, 100]);
    expect(xRange({ kind: 'follow', span: 60 }, null, null)).toBeNull();
  });
  it('a fixed range ignores new samples', () => {
    expect(xRange({ kind: 'fixed', min: 10, max: 20, span: 30 }, 0, 500)).toEqual([10, 20]);
  });
  it('zooms around the pointer and pans by a fraction', () => {
    expect(zoomAround([0, 100], 0.5, 50)).toEqual([25, 75]);
    expect(zoomAround([0, 100], 0.5, 0)).toEqual([0, 50]);
    const tiny = zoomAround([0, 0.2], 0.1, 0.1);
    expect(tiny[1] - tiny[0]).toBeCloseTo(0.2);
    expect(panBy([10, 20], -0.5)).toEqual([5, 15]);
  });
  it('a click is not a zoom', () => {
    expect(selectedRange(10, 10.01)).toBeNull();
    expect(selectedRange(20, 10)).toEqual([10, 20]);
  });
});
