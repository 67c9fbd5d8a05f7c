import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GuestProc, GuestSample } from './guest-sample';
import { GuestClock, parsePasswd, procRows, systemPoint } from './metrics';

function sample(over: Partial<GuestSample> & { monoUs: number }): GuestSample {
  return {
    seq: 0,
    cpu: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 },
    ctxt: 0,
    forks: 0,
    procsRunning: 1,
    procsBlocked: 0,
    mem: { totalKb: 61000, freeKb: 40000, availableKb: 50000, buffersKb: 1000, cachedKb: 5000, shmemKb: 0, slabKb: 2000 },
    irqs: new Map(),
    irqNames: new Map(),
    ...over,
  };
}

function proc(pid: number, over: Partial<GuestProc> = {}): GuestProc {
  return { pid, ppid: 1, state: 'S', utime: 0, stime: 0, startTicks: 100, vszKb: 1000, rssKb: 200, threads: 1, uid: 0, comm: `p${pid}`, cmdline: `p${pid}`, exe: '/bin/p', kernelThread: false, ...over };
}

describe('systemPoint', () => {
  it('gives CPU shares of the ticks that passed, rates per second and free-style used memory', () => {
    const a = sample({ monoUs: 1_000_000, cpu: { user: 100, nice: 0, system: 50, idle: 800, iowait: 0, irq: 0, softirq: 0, steal: 0 }, ctxt: 1000, forks: 10, irqs: new Map([['25', 500]]) });
    const b = sample({ monoUs: 1_500_000, cpu: { user: 140, nice: 0, system: 55, idle: 805, iowait: 0, irq: 0, softirq: 0, steal: 0 }, ctxt: 1100, forks: 11, irqs: new Map([['25', 550], ['30', 7]]) });
    const p = systemPoint(a, b, 123, { qemuCpuPct: 50, qemuRssKb: 1000 });
    expect(p.cpu.user).toBeCloseTo(80);
    expect(p.cpu.system).toBeCloseTo(10);
    expect(p.cpu.idle).toBeCloseTo(10);
    expect(p.irq).toEqual({ '25': 100 }); // a line new in this sample has no rate yet
    expect(p.ctxtPerS).toBeCloseTo(200);
    expect(p.forksPerS).toBeCloseTo(2);
    expect(p.mem.usedKb).toBe(61000 - 40000 - 1000 - 5000);
    expect(p.t).toBe(123);
    expect(p.host).toEqual({ qemuCpuPct: 50, qemuRssKb: 1000 });
  });

  it('CPU shares always sum to 100 (or all 0) and never go negative, whatever the counters do', () => {
    const cpu = fc.record({ user: fc.nat(), nice: fc.nat(), system: fc.nat(), idle: fc.nat(), iowait: fc.nat(), irq: fc.nat(), softirq: fc.nat(), steal: fc.nat() });
    fc.assert(
      fc.property(cpu, cpu, (c1, c2) => {
        const p = systemPoint(sample({ monoUs: 0, cpu: c1 }), sample({ monoUs: 100_000, cpu: c2 }), 0, null);
        const values = Object.values(p.cpu);
        for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
        const sum = values.reduce((x, y) => x + y, 0);
        expect(sum === 0 || Math.abs(sum - 100) < 1e-6).toBe(true);
      }),
    );
  });
});

describe('procRows', () => {
  it('CPU % from the ticks a process used between scans; a reused pid counts from its start', () => {
    const prev = { monoUs: 10_000_000, procs: new Map([[5, proc(5, { utime: 100, stime: 20 })], [6, proc(6, { utime: 50, startTicks: 100 })]]) };
    const cur = {
      monoUs: 11_000_000,
      procs: new Map([
        [5, proc(5, { utime: 180, stime: 30 })], // 90 ticks in 1 s at 100 Hz = 90 %
        [6, proc(6, { utime: 20, startTicks: 1050 })], // new process on pid 6, started 0.5 s ago, 20 ticks → 40 %
        [7, proc(7, { utime: 3, startTicks: 1080 })], // new, 0.2 s old
      ]),
    };
    const rows = procRows(prev, cur, 100, (uid) => (uid === 0 ? 'root' : String(uid)));
    expect(rows.map((r) => r.pid)).toEqual([5, 6, 7]);
    expect(rows[0]!.cpuPct).toBeCloseTo(90);
    expect(rows[1]!.cpuPct).toBeCloseTo(40);
    expect(rows[2]!.cpuPct).toBeCloseTo(15);
    expect(rows[0]!.user).toBe('root');
  });

  it('the first scan has no interval: every CPU % is 0', () => {
    const rows = procRows(null, { monoUs: 5e6, procs: new Map([[1, proc(1, { utime: 400 })]]) }, 100, String);
    expect(rows[0]!.cpuPct).toBe(0);
  });
});

describe('parsePasswd', () => {
  it('maps uids to names and skips junk', () => {
    const users = parsePasswd('root:x:0:0:root:/root:/bin/sh\n\ngarbage\nbob:x:1000:1000::/home/bob:/bin/sh\nbad:x:notanumber:0\n');
    expect([...users]).toEqual([[0, 'root'], [1000, 'bob']]);
  });
});

describe('GuestClock', () => {
  it('takes the least-delayed sample as the offset and jumps forward after a pause', () => {
    const c = new GuestClock(1000);
    c.seed(1_000_000, 5000, 5010); // guest 1 s at host 5005
    expect(c.toHost(1_100_000, 5120)).toBeCloseTo(5105); // arrived 15 ms late
    expect(c.toHost(1_200_000, 5201)).toBeCloseTo(5201 - 0); // a less-delayed one moves the offset back
    expect(c.toHost(1_300_000, 5305)).toBeCloseTo(5301);
    // The VM was paused for 10 s: guest time went on by 0.1 s while the host's went by 10.1 s.
    expect(c.toHost(1_400_000, 15_405)).toBeCloseTo(15_405);
    expect(c.toHost(1_500_000, 15_507)).toBeCloseTo(15_505);
  });
});
