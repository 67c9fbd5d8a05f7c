/**
 * Cost of the agent's resource sampler in the guest (wired in by bench/run.ts):
 *   agent_overhead_pct_10hz        the agent's CPU share (utime + stime of its own process, from
 *                                  its own process scans) while sampling at 10 Hz with a process
 *                                  scan every second, over `seconds` (default 60) of guest time
 *   monitor_link_bytes_per_s_10hz  guest → host bytes of the stream on the link (frames: header,
 *                                  kind byte, record, CRC)
 *   monitor_rate_hz_10hz           samples per second achieved (by the guest's clock)
 *   monitor_gap_ms_p99             99th percentile of the gaps between samples (guest clock)
 *   guest_busy_pct                 the whole guest's non-idle share in the same window
 *   agent_overhead_pct_10hz_batched the same with `batch` (default 5) samples per STREAM frame
 *   agent_idle_pct                 the agent with no stream, for comparison
 * Boots its own session (or uses `opts.core`'s), with the metrics service's own sampler shut off
 * so that this stream is the only one the agent serves. USER_HZ is 100 in the guest.
 *
 *   npx tsx -e "import('./bench/monitor-agent.ts').then(m => m.benchAgentMonitorOverhead({ onProgress: console.log })).then(r => console.log(r))"
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mainstone } from '../src-main/core/boards/profiles';
import { createCore, type Core } from '../src-main/core/core';
import { ensureAgent } from '../src-main/core/agent/deploy';
import { FrameType } from '../src-main/core/agent/frame-codec';
import { StreamKind, type AgentChannel } from '../src-main/core/agent/client';
import type { Link } from '../src-main/core/agent/link';
import { openGuestSampler } from '../src-main/core/monitor/guest-sampler';
import type { GuestSample } from '../src-main/core/monitor/guest-sample';
import { percentile } from './machine';

export interface MonitorOverhead {
  agent_overhead_pct_10hz: number;
  monitor_link_bytes_per_s_10hz: number;
  monitor_rate_hz_10hz: number;
  monitor_gap_ms_p99: number;
  guest_busy_pct: number;
  /** The same stream with `batch` samples per frame (fewer frames and ACKs, more latency). */
  agent_overhead_pct_10hz_batched: number;
  monitor_link_bytes_per_s_10hz_batched: number;
  batch: number;
  /** The agent with no stream (a baseline). */
  agent_idle_pct: number;
  /** Raw figures behind the percentages. */
  agent_ticks: number;
  guest_seconds: number;
  samples: number;
  agent_pid: number;
  note: string;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
/** Link frame bytes besides the payload: header 20 + CRC 4. */
const FRAME_OVERHEAD = 24;

interface Phase {
  pct: number;
  bytesPerS: number;
  hz: number;
  gapP99: number;
  busyPct: number;
  ticks: number;
  seconds: number;
  samples: number;
  pid: number;
  gapP50: number;
}

/** One stream for `seconds` of guest time: the agent's own ticks from its own process scans. */
async function phase(ch: AgentChannel, link: Link, o: { seconds: number; intervalMs: number; procEvery: number; batch: number; log: (l: string) => void }): Promise<Phase> {
  const samples: GuestSample[] = [];
  let bytes = 0;
  let counting = false;
  const onMessage = (m: { type: number; payload: Buffer }) => {
    if (counting && m.type === FrameType.STREAM && m.payload[0] === StreamKind.MONITOR) bytes += m.payload.length + FRAME_OVERHEAD;
  };
  link.on('message', onMessage);
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  let first: GuestSample | null = null;
  const sampler = await openGuestSampler(ch, {
    intervalMs: o.intervalMs,
    procEvery: o.procEvery,
    batch: o.batch,
    onSample: (x) => {
      // The window runs from the first process scan after a settling second to the first
      // scan `seconds` later: both ends carry the agent's own CPU ticks.
      if (!first && x.procs && x.seq >= o.procEvery) {
        first = x;
        counting = true;
      }
      if (!first || !counting) return; // (batched: samples after the window's last scan)
      samples.push(x);
      if (x.procs && x.monoUs - first.monoUs >= o.seconds * 1e6) {
        counting = false;
        done();
      }
    },
    onError: (e) => o.log(`[bench monitor] sampler: ${e.message}`),
  });
  try {
    await Promise.race([finished, sampler.ended.then((e) => Promise.reject(new Error(`bench monitor: the stream ended: ${e.reason}`)))]);
  } finally {
    link.off('message', onMessage);
    await sampler.stop();
  }
  const a = samples[0]!;
  const b = samples.at(-1)!;
  const agentOf = (x: GuestSample) => [...x.procs!.values()].find((p) => p.comm === 'benchtop-agent');
  const pa = agentOf(a);
  const pb = agentOf(b);
  if (!pa || !pb || pa.pid !== pb.pid) throw new Error('bench monitor: the agent is not in the process table (or restarted)');
  const seconds = (b.monoUs - a.monoUs) / 1e6;
  const ticks = pb.utime + pb.stime - (pa.utime + pa.stime);
  const cpuSum = (x: GuestSample) => Object.values(x.cpu).reduce((p, q) => p + q, 0);
  const idle = b.cpu.idle + b.cpu.iowait - (a.cpu.idle + a.cpu.iowait);
  const total = cpuSum(b) - cpuSum(a);
  const gaps = samples.slice(1).map((x, i) => (x.monoUs - samples[i]!.monoUs) / 1000).sort((p, q) => p - q);
  return {
    pct: round((ticks / sampler.info.clkTck / seconds) * 100, 3),
    bytesPerS: Math.round(bytes / seconds),
    hz: round((samples.length - 1) / seconds, 2),
    gapP99: round(percentile(gaps, 99), 1),
    gapP50: round(percentile(gaps, 50), 1),
    busyPct: round(((total - idle) / total) * 100, 2),
    ticks,
    seconds: round(seconds, 2),
    samples: samples.length,
    pid: pa.pid,
  };
}

export async function benchAgentMonitorOverhead(
  opts: { core?: Core; seconds?: number; intervalMs?: number; procEvery?: number; batch?: number; idleSeconds?: number; onProgress?: (line: string) => void } = {},
): Promise<MonitorOverhead> {
  const log = opts.onProgress ?? (() => undefined);
  const seconds = opts.seconds ?? 60;
  const intervalMs = opts.intervalMs ?? 100;
  const procEvery = opts.procEvery ?? 10;
  const batch = opts.batch ?? 5;
  let tmp: string | null = null;
  let core = opts.core;
  if (!core) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-bench-monitor-'));
    core = createCore({ workspace: path.join(tmp, 'workspace') });
    await core.ensureImage('mainstone');
  }
  // The service would open its own 10 Hz stream on every session: the agent would serve two.
  core.monitor.close();
  const s = core.sessions.create({ board: 'mainstone', name: 'bench monitor' });
  try {
    await core.sessions.start(s.id);
    await core.sessions.console(s.id).waitFor(new RegExp(mainstone.promptPattern, 'm'), { timeoutMs: 60_000, from: 0 });
    await ensureAgent(core, s.id, { timeoutMs: 120_000, onProgress: log });
    const link = core.agents.broker(s.id).client.link;
    const ch = core.agents.channel(s.id, 'bench-monitor');

    // Baseline: the agent with nothing to do (its ticks read with GET, before and after).
    const agentTicks = async (pid: number) => {
      const t = (await ch.get(`/proc/${pid}/stat`)).toString();
      const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
      const up = Number((await ch.get('/proc/uptime')).toString().split(' ')[0]);
      return { ticks: Number(f[11]) + Number(f[12]), up };
    };
    log(`[bench monitor] 10 Hz, processes every ${procEvery}th, batch 1, for ${seconds} s`);
    const one = await phase(ch, link, { seconds, intervalMs, procEvery, batch: 1, log });
    log(`[bench monitor] batch 1: agent ${one.pct} %, ${one.bytesPerS} B/s, ${one.hz} Hz, gap p99 ${one.gapP99} ms`);
    log(`[bench monitor] 10 Hz, batch ${batch}, for ${seconds} s`);
    const many = await phase(ch, link, { seconds, intervalMs, procEvery, batch, log });
    log(`[bench monitor] batch ${batch}: agent ${many.pct} %, ${many.bytesPerS} B/s, ${many.hz} Hz`);
    const idleS = opts.idleSeconds ?? 20;
    const i0 = await agentTicks(one.pid);
    await new Promise((r) => setTimeout(r, idleS * 1000)); // the idle window itself
    const i1 = await agentTicks(one.pid);
    const idlePct = round(((i1.ticks - i0.ticks) / 100 / (i1.up - i0.up)) * 100, 3);
    log(`[bench monitor] idle agent ${idlePct} %`);
    return {
      agent_overhead_pct_10hz: one.pct,
      monitor_link_bytes_per_s_10hz: one.bytesPerS,
      monitor_rate_hz_10hz: one.hz,
      monitor_gap_ms_p99: one.gapP99,
      guest_busy_pct: one.busyPct,
      agent_overhead_pct_10hz_batched: many.pct,
      monitor_link_bytes_per_s_10hz_batched: many.bytesPerS,
      batch,
      agent_idle_pct: idlePct,
      agent_ticks: one.ticks,
      guest_seconds: one.seconds,
      samples: one.samples,
      agent_pid: one.pid,
      note: `batch 1: ${one.ticks} ticks of 10 ms in ${one.seconds} s (agent pid ${one.pid}), ${one.samples} samples, gaps p50 ${one.gapP50} ms; batch ${batch}: ${many.ticks} ticks in ${many.seconds} s; guest busy (tick-sampled) ${one.busyPct} %`,
    };
  } finally {
    try {
      await core.sessions.stop(s.id);
    } catch {
      /* already ended */
    }
    if (tmp) {
      await core.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
}
