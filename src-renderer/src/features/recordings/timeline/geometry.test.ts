import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consoleLabel, fitView, formatDurationUs, formatTick, keyLabel, msTextToUs, panBy, tickStep, tOf, usToMsText, xOf, zoomAround } from './geometry';

describe('timeline geometry', () => {
  it('zoom keeps the time under the pointer in place', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0.2, max: 5, noNaN: true }), fc.integer({ min: 0, max: 10_000_000 }), (x, factor, start) => {
        const vp = { startUs: start, usPerPx: 1000, widthPx: 1000 };
        const before = tOf(vp, x);
        const z = zoomAround(vp, x, factor);
        expect(z.usPerPx).toBeCloseTo(1000 * factor, 6);
        // Only the "not too far before 0" clamp may move the time under the pointer.
        const clamped = Math.abs(z.startUs + 0.1 * z.widthPx * z.usPerPx) < 1e-6;
        if (!clamped) expect(tOf(z, x)).toBeCloseTo(before, 3);
      }),
    );
  });

  it('maps times to pixels and back, and pans by pixels', () => {
    const vp = { startUs: 50_000, usPerPx: 250, widthPx: 800 };
    expect(xOf(vp, 150_000)).toBe(400);
    expect(tOf(vp, 400)).toBe(150_000);
    expect(panBy(vp, 100).startUs).toBe(25_000);
  });

  it('fits a recording with a margin', () => {
    const vp = fitView(10_000_000, 1000);
    expect(tOf(vp, 0)).toBeLessThan(0);
    expect(tOf(vp, 1000)).toBeGreaterThan(10_000_000);
  });

  it('picks ticks 1/2/5 × 10^k at least 90 px apart', () => {
    expect(tickStep(1000)).toBe(100_000);
    expect(tickStep(10)).toBe(1000);
    expect(tickStep(3000)).toBe(500_000);
    fc.assert(
      fc.property(fc.double({ min: 10, max: 1e9, noNaN: true }), (usPerPx) => {
        const s = tickStep(usPerPx);
        expect(s / usPerPx).toBeGreaterThanOrEqual(90);
        expect(s / usPerPx).toBeLessThan(90 * 2.5 + 1e-6);
      }),
    );
  });

  it('labels the axis in readable units as precise as the step', () => {
    expect(formatTick(250_000, 50_000)).toBe('250 ms');
    expect(formatTick(1_500_000, 500_000)).toBe('1.5 s');
    expect(formatTick(12_010_000, 10_000)).toBe('12.01 s');
    expect(formatTick(500, 100)).toBe('0.5 ms');
    expect(formatTick(125_000_000, 5_000_000)).toBe('2:05');
    expect(formatTick(-100_000, 100_000)).toBe('−100 ms');
    // One style along an axis of minutes, 0 included.
    expect([0, 50e6, 100e6].map((t) => formatTick(t, 50e6))).toEqual(['0:00', '0:50', '1:40']);
    expect([0, 2e6, 4e6].map((t) => formatTick(t, 2e6))).toEqual(['0 s', '2 s', '4 s']);
  });

  it('formats durations and parses edited milliseconds to integer µs', () => {
    expect(formatDurationUs(850_000)).toBe('850 ms');
    expect(formatDurationUs(12_345_678)).toBe('12.346 s');
    expect(formatDurationUs(125_100_000)).toBe('2:05.1');
    expect(usToMsText(1_234_500)).toBe('1234.5');
    expect(msTextToUs('1234.5')).toBe(1_234_500);
    expect(msTextToUs('0,0015')).toBe(2);
    expect(msTextToUs('-1')).toBeNull();
    expect(msTextToUs('abc')).toBeNull();
  });

  it('shows keys and console bytes legibly', () => {
    expect(keyLabel('ret')).toBe('⏎');
    expect(keyLabel('kp_1')).toBe('kp1');
    expect(keyLabel('a')).toBe('a');
    expect(consoleLabel('ls\r')).toBe('ls⏎');
    expect(consoleLabel('\x1b[A\x03')).toBe('⎋[A^C');
    expect(consoleLabel(' ')).toBe('␣');
    expect(consoleLabel('a b')).toBe('a b');
  });
});
