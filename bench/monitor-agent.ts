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
 * Boots its own session (or uses `opts.core`'s), with the metrics service's own sampler shut off
 * so that this stream is the only one the agent serves.
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
import { StreamKind } from '../src-main/core/agent/client';
import { openGuestSampler } from '../src-main/core/monitor/guest-sampler';
import type { GuestSample } from '../src-main/core/monitor/guest-sample';
import { percentile } from './machine';

export interface MonitorOverhead {
  agent_overhead_pct_10hz: number;
  monitor_link_bytes_per_s_10hz: number;
  monitor_rate_hz_10hz: number;
  monitor_gap_ms_p99: number;
  guest_busy_pct: number;
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

export async function benchAgentMonitorOverhead(
  opts: { core?: Core; seconds?: number; intervalMs?: number; procEvery?: number; onProgress?: (line: string) => void } = {},
): Promise<MonitorOverhead> {
  const log = opts.onProgress ?? (() => undefined);
  const seconds = opts.seconds ?? 60;
  const intervalMs = opts.intervalMs ?? 100;
  const procEvery = opts.procEvery ?? 10;
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
      intervalMs,
      procEvery,
      onSample: (x) => {
        // The window runs from the first process scan after a settling second to the first
        // scan `seconds` later: both ends carry the agent's own CPU ticks.
        if (!first && x.procs && x.seq >= procEvery) {
          first = x;
          counting = true;
        }
        if (!first) return;
        samples.push(x);
        if (x.procs && x.monoUs - first.monoUs >= seconds * 1e6) {
          counting = false;
          done();
        }
      },
      onError: (e) => log(`[bench monitor] sampler: ${e.message}`),
    });
    log(`[bench monitor] sampling every ${intervalMs} ms, processes every ${procEvery}th, for ${seconds} s`);
    await Promise.race([finished, sampler.ended.then((e) => Promise.reject(new Error(`bench monitor: the stream ended: ${e.reason}`)))]);
    await sampler.stop();
    link.off('message', onMessage);

    const a = samples[0]!;
    const b = samples.at(-1)!;
    const agentOf = (x: GuestSample) => [...x.procs!.values()].find((p) => p.comm === 'benchtop-agent');
    const pa = agentOf(a);
    const pb = agentOf(b);
    if (!pa || !pb || pa.pid !== pb.pid) throw new Error('bench monitor: the agent is not in the process table (or restarted)');
    const guestS = (b.monoUs - a.monoUs) / 1e6;
    const ticks = pb.utime + pb.stime - (pa.utime + pa.stime);
    const hz = sampler.info.clkTck;
    const cpuSum = (x: GuestSample) => Object.values(x.cpu).reduce((p, q) => p + q, 0);
    const idle = b.cpu.idle + b.cpu.iowait - (a.cpu.idle + a.cpu.iowait);
    const total = cpuSum(b) - cpuSum(a);
    const gaps = samples.slice(1).map((x, i) => (x.monoUs - samples[i]!.monoUs) / 1000).sort((p, q) => p - q);
    const r: MonitorOverhead = {
      agent_overhead_pct_10hz: round((ticks / hz / guestS) * 100, 3),
      monitor_link_bytes_per_s_10hz: Math.round(bytes / guestS),
      monitor_rate_hz_10hz: round((samples.length - 1) / guestS, 2),
      monitor_gap_ms_p99: round(percentile(gaps, 99), 1),
      guest_busy_pct: round(((total - idle) / total) * 100, 2),
      agent_ticks: ticks,
      guest_seconds: round(guestS, 2),
      samples: samples.length,
      agent_pid: pa.pid,
      note: `${ticks} ticks of ${1000 / hz} ms in ${round(guestS, 1)} s (agent pid ${pa.pid}); ${samples.length} samples, gaps p50 ${round(percentile(gaps, 50), 1)} ms`,
    };
    log(`[bench monitor] agent ${r.agent_overhead_pct_10hz} %, ${r.monitor_link_bytes_per_s_10hz} B/s, ${r.monitor_rate_hz_10hz} Hz, gap p99 ${r.monitor_gap_ms_p99} ms, guest busy ${r.guest_busy_pct} %`);
    return r;
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
