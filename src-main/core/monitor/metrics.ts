/**
 * Turning cumulative guest counters into what the monitor shows: CPU shares of an interval,
 * per-second rates, per-process CPU %, and the guest-clock → host-clock mapping. Pure
 * functions and small classes, so every rule here is unit-tested without a VM.
 */
import type { MonitorPoint, ProcRow } from '../../../src-shared/features/monitor';
import type { GuestProc, GuestSample } from './guest-sample';

const CPU_KEYS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** A counter delta that survives a reset (guest reboot, wrap): a negative step counts as 0. */
function step(cur: number, prev: number): number {
  return cur >= prev ? cur - prev : 0;
}

export interface HostCost {
  qemuCpuPct: number;
  qemuRssKb: number;
}

/**
 * One chart point from two consecutive samples. `t` is the sample's time on the host clock.
 * The CPU shares are of the ticks that passed (not of wall time), so they sum to 100 even when
 * the sampler ran late; an interval without ticks (two samples inside one jiffy) repeats 0s.
 */
export function systemPoint(prev: GuestSample, cur: GuestSample, t: number, host: HostCost | null): MonitorPoint {
  let total = 0;
  const d = {} as Record<(typeof CPU_KEYS)[number], number>;
  for (const k of CPU_KEYS) {
    d[k] = step(cur.cpu[k], prev.cpu[k]);
    total += d[k];
  }
  const cpu = {} as MonitorPoint['cpu'];
  for (const k of CPU_KEYS) cpu[k] = total > 0 ? (100 * d[k]) / total : 0;
  const dtS = Math.max(1e-6, (cur.monoUs - prev.monoUs) / 1e6);
  const irq: Record<string, number> = {};
  for (const [id, count] of cur.irqs) {
    const before = prev.irqs.get(id);
    if (before !== undefined) irq[id] = step(count, before) / dtS;
  }
  const m = cur.mem;
  return {
    t,
    cpu,
    mem: {
      totalKb: m.totalKb,
      // As procps' `free` (before 4.0) counts it: what neither free, buffers nor page cache hold.
      usedKb: Math.max(0, m.totalKb - m.freeKb - m.buffersKb - m.cachedKb),
      freeKb: m.freeKb,
      availableKb: m.availableKb,
      buffersKb: m.buffersKb,
      cachedKb: m.cachedKb,
    },
    irq,
    ctxtPerS: step(cur.ctxt, prev.ctxt) / dtS,
    forksPerS: step(cur.forks, prev.forks) / dtS,
    procsRunning: cur.procsRunning,
    procsBlocked: cur.procsBlocked,
    host,
  };
}

export interface ProcScan {
  monoUs: number;
  procs: Map<number, GuestProc>;
}

/**
 * The top table of a scan: CPU % of one guest CPU over the interval since the previous scan
 * (the same process = same pid and start time). A process new in this scan counts from its
 * start (its whole CPU time falls inside the interval), as top does on its first refresh.
 */
export function procRows(prev: ProcScan | null, cur: ProcScan, clkTck: number, userOf: (uid: number) => string): ProcRow[] {
  const dtS = prev ? Math.max(1e-6, (cur.monoUs - prev.monoUs) / 1e6) : 0;
  const rows: ProcRow[] = [];
  for (const p of cur.procs.values()) {
    let cpuPct = 0;
    if (prev && dtS > 0) {
      const before = prev.procs.get(p.pid);
      const same = before && before.startTicks === p.startTicks;
      const ticks = same ? step(p.utime + p.stime, before.utime + before.stime) : p.utime + p.stime;
      const sinceStartS = same ? dtS : Math.min(dtS, Math.max(1e-6, cur.monoUs / 1e6 - p.startTicks / clkTck));
      cpuPct = Math.min(100, (100 * ticks) / clkTck / sinceStartS);
    }
    rows.push({
      pid: p.pid,
      ppid: p.ppid,
      user: userOf(p.uid),
      uid: p.uid,
      state: p.state.slice(0, 1),
      cpuPct,
      rssKb: p.rssKb,
      vszKb: p.vszKb,
      threads: p.threads,
      comm: p.comm,
      cmdline: p.cmdline,
      exe: p.exe,
      kernelThread: p.kernelThread,
    });
  }
  rows.sort((a, b) => a.pid - b.pid);
  return rows;
}

/** uid → name from /etc/passwd text (`name:x:uid:…`); malformed lines are skipped. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || !f[0]) continue;
    const uid = Number(f[2]);
    if (Number.isInteger(uid) && uid >= 0 && !users.has(uid)) users.set(uid, f[0]);
  }
  return users;
}

/**
 * Guest CLOCK_MONOTONIC → host time. A sample arrives after it was taken, so host arrival −
 * guest time is the offset plus a positive delay: the smallest value seen is the best estimate
 * (the least-delayed sample). The guest clock stops while the VM is paused, so after a pause
 * every sample looks late by the pause; a sample that looks more than `jumpMs` late moves
 * the offset forward instead of being drawn a pause in the past.
 */
export class GuestClock {
  private offsetMs: number | null = null;

  constructor(private readonly jumpMs = 1000) {}

  /** Host time (ms since epoch) of a guest sample taken at `monoUs` that arrived at `arrivedAt`. */
  toHost(monoUs: number, arrivedAt: number): number {
    const candidate = arrivedAt - monoUs / 1000;
    if (this.offsetMs === null || candidate < this.offsetMs || candidate - this.offsetMs > this.jumpMs) this.offsetMs = candidate;
    return monoUs / 1000 + this.offsetMs;
  }

  /** Host time of a guest CLOCK_MONOTONIC instant with the current offset (null before any sample). */
  map(monoUs: number): number | null {
    return this.offsetMs === null ? null : monoUs / 1000 + this.offsetMs;
  }

  /** Seed from a request/answer pair: the guest read `monoUs` somewhere between sent and answered. */
  seed(monoUs: number, sentAt: number, answeredAt: number): void {
    this.offsetMs = (sentAt + answeredAt) / 2 - monoUs / 1000;
  }
}
