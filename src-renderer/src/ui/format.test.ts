import { describe, expect, it } from 'vitest';
import { formatClockMs, formatDateTime, formatDuration, formatShort } from './format';

describe('format', () => {
  it('durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(7_400)).toBe('0:07');
    expect(formatDuration(754_000)).toBe('12:34');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000)).toBe('2d 03:04:05');
    expect(formatDuration(-5)).toBe('0:00');
  });
  it('clock and dates (local time)', () => {
    const t = new Date(2026, 10, 22, 9, 5, 7, 42).getTime();
    expect(formatClockMs(t)).toBe('09:05:07.042');
    expect(formatDateTime(t)).toBe('2026-11-22 09:05:07');
    expect(formatShort(t, t + 1000)).toBe('09:05');
    expect(formatShort(t, t + 3 * 86_400_000)).toBe('Nov 22 09:05');
  });
});
