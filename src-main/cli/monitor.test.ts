import { describe, expect, it } from 'vitest';
import type { MonitorPoint } from '../../src-shared/features/monitor';
import { csvHeader, csvRow, formatTop } from './monitor';
import { socketUrlOf } from './remote';

const point: MonitorPoint = {
  t: 1700000000123.4,
  cpu: { user: 12.5, nice: 0, system: 2, iowait: 0, irq: 0.25, softirq: 0, idle: 85.25, steal: 0 },
  mem: { totalKb: 57272, usedKb: 8684, freeKb: 39044, availableKb: 40332, buffersKb: 16, cachedKb: 9528 },
  irq: { '25': 100, '30': 2.5 },
  ctxtPerS: 85.9,
  forksPerS: 0,
  procsRunning: 1,
  procsBlocked: 0,
  host: null,
};

describe('benchtop monitor --csv', () => {
  it('one header and rows of the same width; IRQ columns fixed by the header, missing values empty', () => {
    const header = csvHeader(['25', '30', '99']).split(',');
    const row = csvRow(point, ['25', '30', '99']).split(',');
    expect(row.length).toBe(header.length);
    expect(header.slice(0, 3)).toEqual(['t_ms', 'cpu_user_pct', 'cpu_nice_pct']);
    expect(row[header.indexOf('cpu_user_pct')]).toBe('12.50');
    expect(row[header.indexOf('mem_used_kb')]).toBe('8684');
    expect(row[header.indexOf('qemu_cpu_pct')]).toBe('');
    expect(row[header.indexOf('irq_30_per_s')]).toBe('2.50');
    expect(row[header.indexOf('irq_99_per_s')]).toBe('');
  });
});

describe('benchtop top', () => {
  it('aligns columns and shows kernel threads in brackets', () => {
    const text = formatTop([
      { pid: 1, ppid: 0, user: 'root', uid: 0, state: 'S', cpuPct: 0, rssKb: 1204, vszKb: 2100, threads: 1, comm: 'init', cmdline: '/bin/busybox sh /init', exe: '/bin/busybox', kernelThread: false },
      { pid: 123, ppid: 2, user: 'root', uid: 0, state: 'I', cpuPct: 12.345, rssKb: 0, vszKb: 0, threads: 1, comm: 'kworker/0:1', cmdline: '', exe: '', kernelThread: true },
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PID +USER +S +%CPU +RSS +VSZ +THR +COMMAND$/);
    expect(lines[2]).toContain('[kworker/0:1]');
    expect(lines[2]).toContain('12.3');
    expect(lines[1]!.indexOf('/bin/busybox')).toBe(lines[2]!.indexOf('[kworker'));
  });
});

describe('socketUrlOf', () => {
  it('turns the printed page URL into the socket URL and refuses anything else', () => {
    expect(socketUrlOf('http://127.0.0.1:4000/?token=abc')).toBe('ws://127.0.0.1:4000/ws?token=abc');
    expect(() => socketUrlOf('http://127.0.0.1:4000/')).toThrow(/token/);
    expect(() => socketUrlOf('http://example.com:4000/?token=a')).toThrow(/127.0.0.1 only/);
    expect(() => socketUrlOf('not a url')).toThrow(/not a URL/);
  });
});
