import { describe, expect, it } from 'vitest';
import { SampleBuffer } from './sampleBuffer';
import { point } from './testPoints';

describe('SampleBuffer', () => {
  it('turns points into columns: seconds, user+nice, MiB, host figures', () => {
    const b = new SampleBuffer(10);
    expect(b.append([point(1000), point(1100, { user: 20, usedKb: 4096 })])).toBe(2);
    expect([...b.times()]).toEqual([1, 1.1]);
    expect([...b.column('cpuUser')]).toEqual([11, 21]);
    expect([...b.column('memUsed')]).toEqual([20, 4]);
    expect([...b.column('memTotal')]).toEqual([64, 64]);
    expect([...b.column('qemuRss')]).toEqual([100, 100]);
    expect(b.firstTimeMs).toBe(1000);
    expect(b.lastTimeMs).toBe(1100);
  });

  it('drops points not newer than the newest (backlog and events overlap)', () => {
    const b = new SampleBuffer(10);
    b.append([point(1000), point(2000)]);
    const v = b.version;
    expect(b.append([point(1500), point(2000)])).toBe(0);
    expect(b.version).toBe(v);
    expect(b.append([point(2000), point(3000)])).toBe(1);
    expect([...b.times()]).toEqual([1, 2, 3]);
  });

  it('evicts the oldest when full and stays contiguous across compactions', () => {
    const b = new SampleBuffer(8);
    for (let i = 1; i <= 50; i++) b.append([point(i * 1000, { user: i })]);
    expect(b.size).toBe(8);
    expect([...b.times()]).toEqual([43, 44, 45, 46, 47, 48, 49, 50]);
    expect([...b.column('cpuUser')]).toEqual([44, 45, 46, 47, 48, 49, 50, 51]);
    expect([...b.irqColumn('25')]).toEqual(Array(8).fill(100));
  });

  it('gives a line first seen later zeros before it, and zero when a sample omits it', () => {
    const b = new SampleBuffer(10);
    b.append([point(1000, { irq: { '25': 5 } }), point(2000, { irq: { '25': 6, '40': 7 } }), point(3000, { irq: { '40': 8 } })]);
    expect(b.irqIds()).toEqual(['25', '40']);
    expect([...b.irqColumn('40')]).toEqual([0, 7, 8]);
    expect([...b.irqColumn('25')]).toEqual([5, 6, 0]);
    expect([...b.irqColumn('99')]).toEqual([0, 0, 0]);
    expect(b.irqMeans(2)).toEqual(new Map([['25', 3], ['40', 7.5]]));
  });

  it('keeps a gap (NaN) where the host figure is missing', () => {
    const b = new SampleBuffer(4);
    b.append([point(1000, { host: null })]);
    expect(Number.isNaN(b.column('qemuCpu')[0])).toBe(true);
  });

  it('finds the sample at or before a time', () => {
    const b = new SampleBuffer(10);
    b.append([point(1000), point(2000), point(3000)]);
    expect(b.indexAtOrBefore(999)).toBe(-1);
    expect(b.indexAtOrBefore(2000)).toBe(1);
    expect(b.indexAtOrBefore(2999)).toBe(1);
    expect(b.indexAtOrBefore(9999)).toBe(2);
  });

  it('clear empties it and forgets the de-duplication time', () => {
    const b = new SampleBuffer(4);
    b.append([point(5000)]);
    b.clear();
    expect(b.size).toBe(0);
    expect(b.lastTimeMs).toBeNull();
    expect(b.append([point(1000)])).toBe(1);
  });
});
