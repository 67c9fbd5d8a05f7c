/**
 * Contract entries of the resource monitor (seed 000 §3.1): live guest CPU / memory / IRQ
 * series and the QEMU process's own host cost, a per-process top table, the hypervisor's
 * views (HMP `info …`) and guest memory dumps. Everything sampled is stored per session run,
 * so a reopened session shows the same charts and its top table at any recorded moment.
 * Spread into ../contract.ts; implemented by src-main/core/monitor/api.ts.
 *
 * Sampling starts by itself once a session's agent link is up (10 Hz default) and stops with
 * the session; `monitor.configure` changes the rates live.
 */
import { z } from 'zod';

const SessionRef = z.string().regex(/^[a-z0-9-]{1,64}$/, 'session id: lower-case letters, digits and dashes');
const pct = z.number();

/** One system sample, already turned into rates (percent of the interval, per second). */
export const MonitorPoint = z.object({
  /** When the guest took the sample, on the host clock (ms since epoch, fractional). */
  t: z.number(),
  /** Guest CPU time over the interval since the previous sample, percent (sums to ~100). */
  cpu: z.object({ user: pct, nice: pct, system: pct, iowait: pct, irq: pct, softirq: pct, idle: pct, steal: pct }),
  /** Guest memory in KiB: used = total − free − buffers − cached (as `free` counts it). */
  mem: z.object({
    totalKb: z.number(),
    usedKb: z.number(),
    freeKb: z.number(),
    availableKb: z.number(),
    buffersKb: z.number(),
    cachedKb: z.number(),
  }),
  /** Interrupts per second by IRQ line id (the first column of /proc/interrupts: "25", "Err"…). */
  irq: z.record(z.string(), z.number()),
  /** Context switches and forks per second; runnable and blocked tasks now. */
  ctxtPerS: z.number(),
  forksPerS: z.number(),
  procsRunning: z.number(),
  procsBlocked: z.number(),
  /** The QEMU process on the host: CPU percent of one host core, resident set in KiB. */
  host: z.object({ qemuCpuPct: z.number(), qemuRssKb: z.number() }).nullable(),
});
export type MonitorPoint = z.infer<typeof MonitorPoint>;

/** One guest process in the top table. */
export const ProcRow = z.object({
  pid: z.number().int(),
  ppid: z.number().int(),
  /** User name from the guest's /etc/passwd, else the uid as text. */
  user: z.string(),
  uid: z.number().int(),
  /** Kernel state letter: R S D T t Z I X. */
  state: z.string().max(1),
  /** CPU percent of the guest CPU over the last process-scan interval. */
  cpuPct: z.number(),
  rssKb: z.number(),
  vszKb: z.number(),
  threads: z.number().int(),
  /** /proc/<pid>/comm (kernel threads have only this). */
  comm: z.string(),
  /** NUL-separated arguments joined with spaces; empty for kernel threads. */
  cmdline: z.string(),
  /** Target of /proc/<pid>/exe, empty when not readable (kernel threads). */
  exe: z.string(),
  /** Kernel thread (no mm): shown greyed, hidden by the "user only" filter. */
  kernelThread: z.boolean(),
});
export type ProcRow = z.infer<typeof ProcRow>;

export const ProcSnapshot = z.object({ t: z.number(), procs: z.array(ProcRow) });
export type ProcSnapshot = z.infer<typeof ProcSnapshot>;

export const IrqLine = z.object({
  /** First column of /proc/interrupts. */
  id: z.string(),
  /** The rest of the line after the count: chip, hwirq, trigger, action names. */
  name: z.string(),
});
export type IrqLine = z.infer<typeof IrqLine>;

export const MonitorState = z.object({
  sessionId: SessionRef,
  /** The run (1-based start count of the session) these samples belong to. */
  run: z.number().int().nonnegative(),
  /** Sampling now (agent link up and the stream open). */
  active: z.boolean(),
  rateHz: z.number(),
  procRateHz: z.number(),
  samples: z.number().int().nonnegative(),
  irqLines: z.array(IrqLine),
  /** Why sampling is not active (no agent yet, agent without the monitor service…), null when active. */
  reason: z.string().nullable(),
});
export type MonitorState = z.infer<typeof MonitorState>;

/** Views of the hypervisor (QEMU's human monitor). */
export const InspectView = z.enum(['registers', 'irq', 'pic', 'mtree', 'qtree', 'cpus', 'roms', 'tlb']);
export type InspectView = z.infer<typeof InspectView>;

const runRef = z.number().int().positive().optional();

export const monitorMethods = {
  'monitor.state': { input: z.object({ id: SessionRef }), output: MonitorState },
  /** Change the sampling rates of a running session (1–50 Hz; the process table at most as often). */
  'monitor.configure': {
    input: z.object({ id: SessionRef, rateHz: z.number().min(1).max(50), procRateHz: z.number().min(0.2).max(50).optional() }),
    output: MonitorState,
  },
  /** Runs of the session that have samples, newest last. */
  'monitor.runs': {
    input: z.object({ id: SessionRef }),
    output: z.array(z.object({ run: z.number().int(), from: z.number(), to: z.number(), samples: z.number().int(), procSnapshots: z.number().int() })),
  },
  /**
   * Stored samples of a run (default: the latest) between `from` and `to` (host ms), at most
   * `maxPoints` (evenly thinned when there are more), with the run's IRQ lines and the times of
   * its process-table snapshots (for the scrubber).
   */
  'monitor.series': {
    input: z.object({ id: SessionRef, run: runRef, from: z.number().optional(), to: z.number().optional(), maxPoints: z.number().int().min(10).max(200_000).default(50_000) }),
    output: z.object({ run: z.number().int(), points: z.array(MonitorPoint), irqLines: z.array(IrqLine), procTimes: z.array(z.number()) }),
  },
  /** The process table at time `at` (the last snapshot at or before it; default: the newest). */
  'monitor.procs': {
    input: z.object({ id: SessionRef, run: runRef, at: z.number().optional() }),
    output: ProcSnapshot.extend({ run: z.number().int() }).nullable(),
  },
  /** A hypervisor view as QEMU prints it; `supported: false` with QEMU's message when this machine has none. */
  'inspect.view': {
    input: z.object({ id: SessionRef, view: InspectView }),
    output: z.object({ view: InspectView, supported: z.boolean(), text: z.string() }),
  },
  /**
   * Guest memory: `physical` through QEMU (`xp`), `virtual` through the CPU's current MMU
   * context (QEMU's `x`). An address that is not mapped fails with code `not-mapped`.
   */
  'inspect.memory': {
    input: z.object({
      id: SessionRef,
      space: z.enum(['physical', 'virtual']),
      address: z.number().int().min(0).max(0xffff_ffff),
      length: z.number().int().min(1).max(65536).default(256),
    }),
    output: z.object({ space: z.enum(['physical', 'virtual']), address: z.number().int(), base64: z.string() }),
  },
} as const;

export const monitorEvents = {
  /** New samples of a running session (usually one per event; several after a hiccup). */
  'monitor.samples': z.object({ sessionId: SessionRef, run: z.number().int(), points: z.array(MonitorPoint) }),
  /** A new process-table snapshot (at the process rate). */
  'monitor.procs': ProcSnapshot.extend({ sessionId: SessionRef, run: z.number().int() }),
  'monitor.state': MonitorState,
} as const;
