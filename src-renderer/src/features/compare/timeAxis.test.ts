import { describe, expect, it } from 'vitest';
import { relTick, relTime } from './timeAxis';

describe('relTick', () => {
  it('writes seconds with as many decimals as the tick spacing needs', () => {
    expect(relTick(0, 1)).toBe('0');
    expect(relTick(-2, 1)).toBe('−2 s');
    expect(relTick(1.5, 0.5)).toBe('1.5 s');
    expect(relTick(0.25, 0.05)).toBe('0.25 s');
    expect(relTick(10, 5)).toBe('10 s');
  });
  it('switches to m:ss from two minutes, without a 1:60', () => {
    expect(relTick(150, 30)).toBe('2:30');
    expect(relTick(179.99, 10)).toBe('3:00');
    expect(relTick(-125, 5)).toBe('−2:05');
  });
});

describe('relTime', () => {
  it('is signed with milliseconds', () => {
    expect(relTime(12.3456)).toBe('+12.346 s');
    expect(relTime(-1.2)).toBe('−1.200 s');
    expect(relTime(123.4567)).toBe('+2:03.457');
  });
});
