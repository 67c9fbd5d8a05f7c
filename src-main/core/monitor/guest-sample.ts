/**
 * What the agent's sampler delivers once decoded and assembled (the wire format is in
 * docs/agent-protocol.md, "Monitor"; the codec in ./sample-codec.ts). Counters are the raw
 * cumulative values from /proc — turning them into rates is the metrics service's job
 * (./metrics.ts), so the codec stays a pure translation of what the guest read.
 */

/** One process as of a process scan (full values: the assembler applied the deltas). */
export interface GuestProc {
  pid: number;
  ppid: number;
  /** /proc/<pid>/stat field 3. */
  state: string;
  /** Cumulative user / system CPU time in clock ticks (USER_HZ). */
  utime: number;
  stime: number;
  /** Start time after boot in clock ticks (identity of a pid across reuse). */
  startTicks: number;
  vszKb: number;
  rssKb: number;
  threads: number;
  uid: number;
  comm: string;
  /** Arguments joined by spaces; '' for kernel threads. */
  cmdline: string;
  /** readlink /proc/<pid>/exe, '' when unreadable. */
  exe: string;
  /** No mm (vsize 0 and no cmdline): a kernel thread. */
  kernelThread: boolean;
}

export interface GuestSample {
  /** Sample number since the stream opened (0, 1, 2…). */
  seq: number;
  /** Guest CLOCK_MONOTONIC when the sample was taken, microseconds. */
  monoUs: number;
  /** Cumulative /proc/stat "cpu" line: user nice system idle iowait irq softirq steal (ticks). */
  cpu: { user: number; nice: number; system: number; idle: number; iowait: number; irq: number; softirq: number; steal: number };
  ctxt: number;
  /** /proc/stat "processes": forks since boot. */
  forks: number;
  procsRunning: number;
  procsBlocked: number;
  /** /proc/meminfo, KiB. */
  mem: { totalKb: number; freeKb: number; availableKb: number; buffersKb: number; cachedKb: number; shmemKb: number; slabKb: number };
  /** Cumulative count per IRQ line id (first column of /proc/interrupts). */
  irqs: Map<string, number>;
  /** Lines whose description appeared or changed in this sample (id → rest of the line). */
  irqNames: Map<string, string>;
  /** Present on samples that carried a process scan: the full table after applying deltas. */
  procs?: Map<number, GuestProc>;
}

/** Sampler parameters the agent reports when the stream opens. */
export interface GuestSamplerInfo {
  /** sysconf(_SC_CLK_TCK) in the guest. */
  clkTck: number;
  pageSize: number;
  /** Guest CLOCK_MONOTONIC at the moment of the answer, µs (to relate guest and host clocks). */
  monoUs: number;
}

/** A running sampler stream on one agent channel. */
export interface GuestSampler {
  readonly info: GuestSamplerInfo;
  /** Change the rates live: every `intervalMs` a system sample, every `procEvery`-th one with a process scan. */
  configure(intervalMs: number, procEvery: number): Promise<void>;
  /** Ends the stream (resolves once the agent confirmed, or the link is gone). */
  stop(): Promise<void>;
  /** Resolves when the stream ends (stop, link reset, agent error). */
  readonly ended: Promise<{ reason: string }>;
}
