/**
 * The QEMU process's own cost on the host, from the host's /proc/<pid>/stat: CPU percent of
 * one host core between two reads, and the resident set. Linux only (as QEMU here is).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { HostCost } from './metrics';

export interface ProcStatFields {
  comm: string;
  state: string;
  ppid: number;
  utime: number;
  stime: number;
  threads: number;
  startTicks: number;
  vsizeBytes: number;
  rssPages: number;
}

/**
 * Fields of a /proc/<pid>/stat line. The command name sits in parentheses and may itself
 * contain spaces and ')', so the fields after it are found from the LAST ')'.
 */
export function parseProcStat(text: string): ProcStatFields | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const f = (n: number) => Number(rest[n - 3]);
  if (rest.length < 22) return null;
  const out: ProcStatFields = {
    comm: text.slice(open + 1, close),
    state: rest[0]!,
    ppid: f(4),
    utime: f(14),
    stime: f(15),
    threads: f(20),
    startTicks: f(22),
    vsizeBytes: f(23),
    rssPages: f(24),
  };
  for (const v of [out.ppid, out.utime, out.stime, out.threads, out.startTicks, out.vsizeBytes, out.rssPages]) if (!Number.isFinite(v)) return null;
  return out;
}

function getconf(name: string, fallback: number): number {
  const r = spawnSync('getconf', [name], { encoding: 'utf8' });
  const v = Number(r.stdout?.trim());
  return r.status === 0 && v > 0 ? v : fallback;
}

let hostConstants: { clkTck: number; pageKb: number } | null = null;
function constants(): { clkTck: number; pageKb: number } {
  hostConstants ??= { clkTck: getconf('CLK_TCK', 100), pageKb: getconf('PAGESIZE', 4096) / 1024 };
  return hostConstants;
}

/**
 * Reads one host process's cost. The CPU share is over the last ~`windowMs` (not since the
 * previous read): at 10 reads/s a 100 ms interval holds ~10 host ticks, which would quantise
 * the share to steps of 10 %.
 */
export class HostProcessSampler {
  private history: { ticks: number; at: number }[] = [];

  constructor(
    readonly pid: number,
    private readonly readStat: (pid: number) => string = (pid) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8'),
    private readonly now: () => number = () => performance.now(),
    private readonly windowMs = 1000,
  ) {}

  /** null when the process is gone or its stat unreadable. */
  sample(): HostCost | null {
    let text: string;
    try {
      text = this.readStat(this.pid);
    } catch {
      return null;
    }
    const st = parseProcStat(text);
    if (!st) return null;
    const { clkTck, pageKb } = constants();
    const ticks = st.utime + st.stime;
    const at = this.now();
    // The newest earlier read that is at least a window old, else the oldest there is.
    let base = this.history[0];
    for (const h of this.history) if (at - h.at >= this.windowMs) base = h;
    const qemuCpuPct = base && at > base.at ? Math.max(0, (100 * (ticks - base.ticks)) / clkTck / ((at - base.at) / 1000)) : 0;
    this.history.push({ ticks, at });
    while (this.history.length > 2 && at - this.history[1]!.at >= this.windowMs) this.history.shift();
    return { qemuCpuPct, qemuRssKb: st.rssPages * pageKb };
  }
}
