/** Sample data for the Monitor unit tests. */
import type { MonitorPoint, ProcRow } from '../../../../src-shared/features/monitor';

export function point(t: number, patch: { user?: number; irq?: Record<string, number>; host?: MonitorPoint['host']; usedKb?: number } = {}): MonitorPoint {
  return {
    t,
    cpu: { user: patch.user ?? 10, nice: 1, system: 5, iowait: 2, irq: 0.5, softirq: 0.5, idle: 81, steal: 0 },
    mem: { totalKb: 65536, usedKb: patch.usedKb ?? 20480, freeKb: 30720, availableKb: 40000, buffersKb: 2048, cachedKb: 12288 },
    irq: patch.irq ?? { '25': 100, '26': 3 },
    ctxtPerS: 200,
    forksPerS: 0,
    procsRunning: 1,
    procsBlocked: 0,
    host: patch.host === undefined ? { qemuCpuPct: 40, qemuRssKb: 102400 } : patch.host,
  };
}

export function proc(pid: number, patch: Partial<ProcRow> = {}): ProcRow {
  return {
    pid,
    ppid: 1,
    user: 'root',
    uid: 0,
    state: 'S',
    cpuPct: 0,
    rssKb: 1000,
    vszKb: 2000,
    threads: 1,
    comm: `p${pid}`,
    cmdline: `/bin/p${pid}`,
    exe: `/bin/p${pid}`,
    kernelThread: false,
    ...patch,
  };
}
