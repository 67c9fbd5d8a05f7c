import { describe, expect, it } from 'vitest';
import { formatHz, formatKiB, formatMiB, formatPct, formatRate, tickText } from './units';

describe('units', () => {
  it('memory in binary units', () => {
    expect(formatKiB(512)).toBe('512 KiB');
    expect(formatKiB(12_595)).toBe('12.3 MiB');
    expect(formatKiB(1024 * 1024 * 1.25)).toBe('1.25 GiB');
    expect(formatMiB(64)).toBe('64 MiB');
    expect(formatKiB(NaN)).toBe('—');
  });
  it('percent and rates', () => {
    expect(formatPct(42.06)).toBe('42.1 %');
    expect(formatPct(0.123)).toBe('0.12 %');
    expect(formatRate(12.5)).toBe('12.5 /s');
    expect(formatRate(1234)).toBe('1.23k /s');
    expect(formatRate(3_400_000)).toBe('3.4M /s');
    expect(formatHz(10)).toBe('10 Hz');
    expect(tickText('pct', 50)).toBe('50 %');
    expect(tickText('mib', 2048)).toBe('2 GiB');
    expect(tickText('mib', 0)).toBe('0');
  });
});
