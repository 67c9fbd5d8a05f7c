/**
 * Target agent figures for `npm run bench` (wired in by bench/run.ts):
 *   agent_ping_ms_p50 / agent_ping_ms_p99   PING round trips on an idle guest (1000)
 *   agent_ping_during_loop_ms_p99           the same while an endless loop runs under gdbserver
 *   agent_put_mib_s                         PUT of 1 MiB of random data (host → guest) over the data
 *                                           channel (TCP through QEMU's user network, spec 4d)
 *   agent_put_uart_mib_s                    the same PUT over the UART link
 *   agent_get_net_mib_s                     GET of that file over the data channel (guest → host)
 *   agent_get_mib_s                         GET of the same file over the UART link
 *   agent_idle_cpu_pct                      the agent's CPU share over 60 s of idle link
 *                                           (utime + stime from /proc/<pid>/stat in the guest)
 * Boots its own session and stops it; the guest's agent is the image's, or deployed through the
 * console for an image without one.
 */
import crypto from 'node:crypto';
import { mainstone } from '../src-main/core/boards/profiles';
import type { Core } from '../src-main/core/core';
import { ensureAgent } from '../src-main/core/agent/deploy';
import { buildDebuggee } from '../src-main/core/agent/testing/debuggee';
import { percentile } from './machine';

export type Figure = { value: number; unit: string; target?: string; note?: string; samples?: number };

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export async function measureAgent(core: Core, o: { idleSeconds?: number; pings?: number; onProgress?: (line: string) => void } = {}): Promise<Record<string, Figure>> {
  const log = o.onProgress ?? (() => undefined);
  const figures: Record<string, Figure> = {};
  // These figures are the agent's own: the resource monitor's 10 Hz stream (on by default in
  // every session) would add its cost to "idle" and its frames to the ping times. The monitor's
  // cost is measured by bench/monitor-agent.ts. (The bench's core is not used for monitoring.)
  core.monitor.close();
  const s = core.sessions.create({ board: 'mainstone', name: 'bench agent' });
  try {
    await core.sessions.start(s.id);
    await core.sessions.console(s.id).waitFor(new RegExp(mainstone.promptPattern, 'm'), { timeoutMs: 60_000, from: 0 });
    const how = await ensureAgent(core, s.id, { timeoutMs: 120_000, onProgress: log });
    const note = how === 'image' ? "the image's agent" : 'agent deployed through the console (image without one)';
    const ch = core.agents.channel(s.id, 'bench');
    const pings = async (n: number) => {
      const xs: number[] = [];
      for (let i = 0; i < n; i++) xs.push((await ch.ping()).rttMs);
      return xs.sort((a, b) => a - b);
    };

    // Idle round trips.
    await pings(20); // warm-up
    const idle = await pings(o.pings ?? 1000);
    figures.agent_ping_ms_p50 = { value: round(percentile(idle, 50)), unit: 'ms', samples: idle.length, note };
    figures.agent_ping_ms_p99 = { value: round(percentile(idle, 99)), unit: 'ms', samples: idle.length, note };
    log(`[bench agent] ping p50 ${figures.agent_ping_ms_p50.value} ms, p99 ${figures.agent_ping_ms_p99.value} ms`);

    // Round trips while a debuggee spins under gdbserver (continued: gdbserver waits on it).
    let loopNote = 'endless loop continued under gdbserver';
    let stopLoop: () => Promise<void>;
    try {
      const dbg = buildDebuggee();
      await ch.put('/tmp/bench-debuggee', { file: dbg.stripped }, { mode: 0o755 });
      const d = await core.agents.debugStart(s.id, { spawn: ['/tmp/bench-debuggee', 'spin'] });
      const running = d.cont();
      running.catch(() => undefined);
      stopLoop = async () => {
        await d.interrupt().catch(() => undefined);
        await core.agents.debugStop(s.id, d.id);
      };
    } catch (err) {
      // No cross compiler: a shell loop instead.
      loopNote = `busy shell loop (debuggee unavailable: ${(err as Error).message.slice(0, 80)})`;
      const p = await ch.spawn(['sh', '-c', 'while :; do :; done']);
      stopLoop = async () => {
        await ch.signal(p.pid, 'SIGKILL');
        await p.exited.catch(() => undefined);
      };
    }
    const busy = await pings(Math.min(o.pings ?? 1000, 300));
    await stopLoop();
    figures.agent_ping_during_loop_ms_p99 = { value: round(percentile(busy, 99)), unit: 'ms', target: '<= 50', samples: busy.length, note: `${loopNote}; p50 ${round(percentile(busy, 50))} ms` };
    log(`[bench agent] ping during the loop p99 ${figures.agent_ping_during_loop_ms_p99.value} ms`);

    // Transfers.
    const data = crypto.randomBytes(1 << 20);
    const link = core.agents.broker(s.id).client.link;
    const client = core.agents.broker(s.id).client;
    if (client.dataTarget()) {
      let t = performance.now();
      await ch.put('/tmp/bench-net.bin', data, { via: 'data' });
      const netS = (performance.now() - t) / 1000;
      figures.agent_put_mib_s = { value: round(1 / netS), unit: 'MiB/s', target: '>= 1', note: `1 MiB over the data channel (TCP, QEMU user net → guest :7777) in ${round(netS, 2)} s` };
      t = performance.now();
      const netBack = await ch.get('/tmp/bench-net.bin', { via: 'data' });
      const netGetS = (performance.now() - t) / 1000;
      if (!netBack.equals(data)) throw new Error('bench: GET over the data channel returned different bytes');
      figures.agent_get_net_mib_s = { value: round(1 / netGetS), unit: 'MiB/s', note: `1 MiB over the data channel in ${round(netGetS, 2)} s` };
      await ch.remove('/tmp/bench-net.bin');
      log(`[bench agent] data channel: put ${figures.agent_put_mib_s.value} MiB/s, get ${figures.agent_get_net_mib_s.value} MiB/s`);
    } else {
      log('[bench agent] no data channel (agent without data_port, or no forwarded port): agent_put_mib_s not measured');
    }
    const before = { ...link.stats };
    let t0 = performance.now();
    await ch.put('/tmp/bench.bin', data, { via: 'uart' });
    const putS = (performance.now() - t0) / 1000;
    figures.agent_put_uart_mib_s = { value: round(1 / putS), unit: 'MiB/s', note: `1 MiB over the UART link in ${round(putS, 2)} s; host frames resent ${link.stats.retransmits - before.retransmits}` };
    t0 = performance.now();
    const back = await ch.get('/tmp/bench.bin', { via: 'uart' });
    const getS = (performance.now() - t0) / 1000;
    if (!back.equals(data)) throw new Error('bench: GET returned different bytes');
    figures.agent_get_mib_s = { value: round(1 / getS), unit: 'MiB/s', note: `1 MiB in ${round(getS, 2)} s; garbage bytes skipped on the host ${link.stats.bytesSkipped - before.bytesSkipped}` };
    await ch.remove('/tmp/bench.bin');
    log(`[bench agent] UART: put ${figures.agent_put_uart_mib_s.value} MiB/s, get ${figures.agent_get_mib_s.value} MiB/s`);

    // Idle CPU of the agent: ticks (CLK_TCK 100) over the idle window.
    let pidOut = '';
    const pidof = await ch.spawn(['pidof', 'benchtop-agent'], { onOutput: (_s, d) => (pidOut += d.toString()) });
    await pidof.exited;
    const pid = Number(pidOut.trim().split(/\s+/)[0]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bench: no agent pid (pidof said '${pidOut.trim()}')`);
    const ticks = async () => {
      const f = (await ch.get(`/proc/${pid}/stat`)).toString().replace(/^.*\) /, '').split(' ');
      // After the comm: state is field 3, utime 14, stime 15 → indexes 11, 12 here.
      return Number(f[11]) + Number(f[12]);
    };
    const idleS = o.idleSeconds ?? 60;
    const a = await ticks();
    const ta = performance.now();
    await new Promise((r) => setTimeout(r, idleS * 1000)); // the measurement window itself
    const b = await ticks();
    const seconds = (performance.now() - ta) / 1000;
    figures.agent_idle_cpu_pct = { value: round(((b - a) / 100 / seconds) * 100, 4), unit: '%', note: `${b - a} ticks in ${round(seconds, 1)} s (pid ${pid})` };
    log(`[bench agent] idle CPU ${figures.agent_idle_cpu_pct.value} %`);
  } finally {
    try {
      await core.sessions.stop(s.id);
    } catch {
      /* already ended */
    }
  }
  return figures;
}
