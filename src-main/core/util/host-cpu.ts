/**
 * The host's CPU time split, from the first line of Linux's /proc/stat (proc(5)): to tell how
 * much of it the hypervisor gave to other machines ("steal") while something timed ran. On this
 * project's 2-core VMs steal reached 10–13 % of a replay's time, and a replay's injection error
 * p99 followed it (1.75 % steal → 2.8 ms, 10–13 % → 5.3–5.9 ms; docs/input.md).
 */
import fs from 'node:fs';

/** Cumulative jiffies since boot. */
export interface HostCpuTimes {
  steal: number;
  /** user + nice + system + idle + iowait + irq + softirq + steal (guest time is inside user). */
  total: number;
}

/** Parse /proc/stat's text; null when its `cpu` line is not there or not numbers. */
export function parseProcStat(text: string): HostCpuTimes | null {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  // Kernels before 2.6.11 have no steal column: nothing to say then.
  if (f.length < 8 || f.some((x) => !Number.isSafeInteger(x) || x < 0)) return null;
  return { steal: f[7]!, total: f.reduce((a, b) => a + b, 0) };
}

/** Now, or null off Linux (no /proc/stat) — the caller then reports nothing. */
export function readHostCpu(file = '/proc/stat'): HostCpuTimes | null {
  try {
    return parseProcStat(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Steal as a percentage of all CPU time between two readings; null without both, or no time. */
export function stealPct(a: HostCpuTimes | null, b: HostCpuTimes | null): number | null {
  if (!a || !b || b.total <= a.total || b.steal < a.steal) return null;
  return ((b.steal - a.steal) / (b.total - a.total)) * 100;
}
