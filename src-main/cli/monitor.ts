/**
 * Resource monitor on the command line, for scripts:
 *   benchtop top --once [--json]        one process table (after two scans, so CPU % means something)
 *   benchtop monitor --csv [--rate HZ] [--duration S]   system samples as CSV lines on stdout
 * Either against a session of a running workbench (`--url URL --session ID`, URL as `benchtop
 * serve` prints it) or on a headless session of their own (`--boot`).
 */
import { parseArgs } from 'node:util';
import type { MonitorPoint, ProcRow, ProcSnapshot } from '../../src-shared/features/monitor';
import { BenchtopError } from '../../src-shared/errors';
import type { Api } from '../../src-shared/transport';
import { parseTimeout, withHeadlessSession } from './headless';
import { inProcessApi } from '../core/api';
import { connectRemote } from './remote';

export const MONITOR_USAGE = `  top     print the guest's process table once
          --once (required)  --json  and either --url URL --session ID  or  --boot [--board ID]
  monitor stream system samples: --csv  --rate HZ (1–50; default: the session's, 10 Hz)  --duration SECONDS (default: until Ctrl-C)
          and either --url URL --session ID  or  --boot [--board ID]
`;

const common = {
  url: { type: 'string' },
  session: { type: 'string' },
  boot: { type: 'boolean', default: false },
  board: { type: 'string', default: 'mainstone' },
  workspace: { type: 'string' },
  timeout: { type: 'string', default: '120' },
} as const;

/** Run `fn` with an Api on the chosen session: a workbench's (--url) or a headless one (--boot). */
async function onSession<T>(v: { url?: string; session?: string; boot?: boolean; board?: string; workspace?: string; timeout?: string }, name: string, fn: (api: Api, id: string) => Promise<T>): Promise<T> {
  const timeoutMs = parseTimeout(v.timeout);
  if (v.url) {
    if (v.boot) throw new BenchtopError('bad-request', 'give either --url (a workbench session) or --boot (a headless one), not both');
    if (!v.session) throw new BenchtopError('bad-request', '--url needs --session ID (the workbench lists its sessions in the explorer)');
    const remote = await connectRemote(v.url);
    try {
      return await fn(remote.api, v.session);
    } finally {
      remote.close();
    }
  }
  if (!v.boot) throw new BenchtopError('bad-request', 'give --url URL --session ID (a running workbench) or --boot (a headless session)');
  return withHeadlessSession({ board: v.board!, workspace: v.workspace, timeoutMs, keep: false, name }, (core, id) => fn(inProcessApi(core), id));
}

/** The next event matching `pred` (subscribed at once, so nothing is missed), or a timeout error naming what did not come. */
function nextEvent<T>(subscribe: (l: (p: T) => void) => () => void, pred: (p: T) => boolean, timeoutMs: number, what: string): { promise: Promise<T>; cancel(): void } {
  let cancel = () => undefined as void;
  const promise = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new BenchtopError('timeout', `no ${what} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const off = subscribe((p) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
    cancel = () => {
      clearTimeout(timer);
      off();
    };
  });
  return { promise, cancel };
}

export async function topCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...common, once: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  if (!values.once) throw new BenchtopError('bad-request', 'only --once is supported (for a live table open the Monitor tab)');
  const timeoutMs = parseTimeout(values.timeout);
  const snap = await onSession(values, 'top', async (api, id) => {
    // Two scans after we start looking: the second one's CPU % covers a whole interval.
    let seen = 0;
    const wait = nextEvent<ProcSnapshot & { sessionId: string }>((l) => api.on('monitor.procs', l), (p) => p.sessionId === id && ++seen >= 2, timeoutMs, 'process table from the monitor (is the target agent up?)');
    try {
      const state = await api.monitor.state({ id });
      if (!state.active && state.reason && !/waiting|starting/.test(state.reason)) throw new BenchtopError('invalid-state', `session ${id} is not sampled: ${state.reason}`);
    } catch (e) {
      wait.cancel();
      throw e;
    }
    return wait.promise;
  });
  const procs = [...snap.procs].sort((a, b) => b.cpuPct - a.cpuPct || a.pid - b.pid);
  if (values.json) process.stdout.write(JSON.stringify({ t: snap.t, procs }, null, 2) + '\n');
  else process.stdout.write(formatTop(procs));
  return 0;
}

export function formatTop(procs: ProcRow[]): string {
  const head = ['PID', 'USER', 'S', '%CPU', 'RSS', 'VSZ', 'THR', 'COMMAND'];
  const rows = procs.map((p) => [String(p.pid), p.user, p.state, p.cpuPct.toFixed(1), String(p.rssKb), String(p.vszKb), String(p.threads), p.cmdline || `[${p.comm}]`]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 7 ? 0 : r[i]!.length))));
  const line = (r: string[]) => r.map((c, i) => (i === 7 ? c : i === 1 || i === 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

const CPU_COLS = ['user', 'nice', 'system', 'iowait', 'irq', 'softirq', 'idle', 'steal'] as const;
const MEM_COLS = ['totalKb', 'usedKb', 'freeKb', 'availableKb', 'buffersKb', 'cachedKb'] as const;

export function csvHeader(irqIds: string[]): string {
  return ['t_ms', ...CPU_COLS.map((c) => `cpu_${c}_pct`), ...MEM_COLS.map((c) => `mem_${c.replace(/Kb$/, '').toLowerCase()}_kb`), 'ctxt_per_s', 'forks_per_s', 'procs_running', 'procs_blocked', 'qemu_cpu_pct', 'qemu_rss_kb', ...irqIds.map((i) => `irq_${i}_per_s`)].join(',');
}

export function csvRow(p: MonitorPoint, irqIds: string[]): string {
  const n = (v: number | undefined) => (v === undefined ? '' : Number.isInteger(v) ? String(v) : v.toFixed(2));
  return [p.t.toFixed(1), ...CPU_COLS.map((c) => n(p.cpu[c])), ...MEM_COLS.map((c) => n(p.mem[c])), n(p.ctxtPerS), n(p.forksPerS), n(p.procsRunning), n(p.procsBlocked), n(p.host?.qemuCpuPct), n(p.host?.qemuRssKb), ...irqIds.map((i) => n(p.irq[i]))].join(',');
}

export async function monitorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...common, csv: { type: 'boolean', default: false }, rate: { type: 'string' }, duration: { type: 'string' } } });
  if (!values.csv) throw new BenchtopError('bad-request', 'give --csv (the only output format so far)');
  // Without --rate the session keeps its rate (a workbench user may have chosen one).
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate >= 1 && rate <= 50)) throw new BenchtopError('bad-request', '--rate must be 1 … 50 (Hz)');
  const durationMs = values.duration === undefined ? Infinity : Number(values.duration) * 1000;
  if (!(durationMs > 0)) throw new BenchtopError('bad-request', '--duration must be a positive number of seconds');
  await onSession(values, 'monitor', async (api, id) => {
    const active = nextEvent<{ sessionId: string; active: boolean }>((l) => api.on('monitor.state', l), (s) => s.sessionId === id && s.active, parseTimeout(values.timeout), 'active sampler (is the session running?)');
    try {
      const state = await api.monitor.state({ id });
      if (!state.active && state.reason && !/waiting|starting/.test(state.reason)) throw new BenchtopError('invalid-state', `session ${id} is not sampled: ${state.reason}`);
      if (state.active) active.cancel();
      else await active.promise;
    } catch (e) {
      active.cancel();
      throw e;
    }
    if (rate !== undefined) await api.monitor.configure({ id, rateHz: rate });
    let irqIds: string[] | null = null;
    await new Promise<void>((resolve) => {
      const off = api.on('monitor.samples', (ev) => {
        if (ev.sessionId !== id) return;
        for (const p of ev.points) {
          if (!irqIds) {
            irqIds = Object.keys(p.irq);
            process.stdout.write(csvHeader(irqIds) + '\n');
          }
          process.stdout.write(csvRow(p, irqIds) + '\n');
        }
      });
      const done = () => {
        off();
        resolve();
      };
      if (Number.isFinite(durationMs)) setTimeout(done, durationMs);
      process.once('SIGINT', done);
    });
  });
  return 0;
}
