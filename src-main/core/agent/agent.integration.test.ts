/**
 * The host side of the target agent against a real mainstone guest: the agent of the image (or,
 * for an image built before the agent was part of it, one deployed through the console),
 * gdbserver in the guest, gdb-multiarch on the host.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootToPrompt, liveCore } from '../../../test/live-core';
import type { Core } from '../core';
import type { AgentChannel, AgentEventMessage } from './client';
import { ensureAgent } from './deploy';
import { buildDebuggee, type BuiltDebuggee } from './testing/debuggee';
import { until } from './testing/native-agent';

const execFileP = promisify(execFile);

let core: Core;
let dispose: () => Promise<void>;
let id: string;
let ui: AgentChannel;
let dbg: BuiltDebuggee;
let agentFrom: 'image' | 'deployed';
const GUEST_DEBUGGEE = '/tmp/debuggee';

beforeAll(async () => {
  ({ core, dispose } = await liveCore());
  id = await bootToPrompt(core, 'agent');
  agentFrom = await ensureAgent(core, id, { graceMs: 5000, timeoutMs: 60_000 });
  ui = core.agents.channel(id, 'ui');
  dbg = buildDebuggee();
  await ui.put(GUEST_DEBUGGEE, { file: dbg.stripped }, { mode: 0o755 });
}, 300_000);
afterAll(async () => dispose?.());

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

describe('agent on a real mainstone guest', () => {
  it('is connected, with the guest capabilities', async () => {
    const st = core.agents.status(id);
    expect(st.state).toBe('connected');
    expect(st.capabilities).toMatchObject({ protocol: '1', arch: 'armv5tel', window: '8' });
    expect((await core.agents.ping(id)).uptimeMs).toBeGreaterThan(0);
  });

  it('put then get a 1 MiB random file byte-identical', async () => {
    const data = crypto.randomBytes(1 << 20);
    const t0 = performance.now();
    await ui.put('/tmp/random.bin', data);
    const putS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const back = await ui.get('/tmp/random.bin');
    const getS = (performance.now() - t1) / 1000;
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
    expect((await ui.stat('/tmp/random.bin')).size).toBe(1 << 20);
    console.log(`1 MiB put ${putS.toFixed(2)} s (${(1 / putS).toFixed(3)} MiB/s), get ${getS.toFixed(2)} s (${(1 / getS).toFixed(3)} MiB/s)`);
    await ui.remove('/tmp/random.bin');
  }, 300_000);

  it('a transfer cut mid-way leaves no file at the target name (aborted, or the connection lost)', async () => {
    const noTrace = async (name: string) => (await ui.list('/tmp')).every((e) => !e.name.startsWith(name));
    const ac = new AbortController();
    const p = ui.put('/tmp/cut-a.bin', crypto.randomBytes(1 << 20), { signal: ac.signal, onProgress: (s) => s > 100_000 && ac.abort() });
    await expect(p).rejects.toMatchObject({ reason: 'aborted' });
    await until(() => noTrace('cut-a.bin'), 5000, 'no cut-a.bin*');

    const broker = core.agents.broker(id);
    let dropped = false;
    const p2 = ui.put('/tmp/cut-b.bin', crypto.randomBytes(1 << 20), {
      onProgress: (s) => {
        if (s > 100_000 && !dropped) {
          dropped = true;
          broker.dropConnection();
        }
      },
    });
    await expect(p2).rejects.toMatchObject({ reason: 'link-reset' });
    await broker.ready(10_000);
    await until(() => noTrace('cut-b.bin'), 5000, 'no cut-b.bin*');
    expect(await ui.exists('/tmp/cut-b.bin')).toBe(false);
  }, 180_000);

  it('spawn → suspend (state T) → resume (R/S) → kill → exit event with the signal', async () => {
    const events: AgentEventMessage[] = [];
    const off = core.bus.on('agent.event', (e) => e.sessionId === id && events.push({ channel: 0, kind: e.kind, text: e.text }));
    const exits: { pid: number; how: string; code: number }[] = [];
    const off2 = core.bus.on('proc.exit', (e) => e.sessionId === id && exits.push(e));
    try {
      const info = await core.agents.spawn(id, ['sleep', '1000']);
      const pid = info.pid;
      const state = async () => (await ui.get(`/proc/${pid}/stat`)).toString().replace(/^.*\) /, '').charAt(0);
      await until(async () => ['S', 'R'].includes(await state()), 5000, 'running');
      await core.agents.signal(id, pid, 'SIGSTOP');
      await until(async () => (await state()) === 'T', 5000, 'state T');
      expect(core.agents.procs(id).find((p) => p.pid === pid)?.state).toBe('stopped');
      await core.agents.signal(id, pid, 'SIGCONT');
      await until(async () => ['S', 'R'].includes(await state()), 5000, 'state S/R');
      await core.agents.signal(id, pid, 'SIGKILL');
      await until(() => exits.some((e) => e.pid === pid), 5000, 'proc.exit');
      expect(exits.find((e) => e.pid === pid)).toMatchObject({ how: 'signal', code: 9 });
      await until(() => events.some((e) => e.kind === 'exit' && e.text.includes(`pid=${pid} status=signal:9`)), 5000, 'exit event');
      expect(core.agents.procs(id).find((p) => p.pid === pid)).toMatchObject({ state: 'exited', exit: { how: 'signal', code: 9 } });
    } finally {
      off();
      off2();
    }
  });

  it('markers written to /run/benchtop/events arrive as agent.event', async () => {
    const got: string[] = [];
    const off = core.bus.on('agent.event', (e) => e.sessionId === id && e.kind === 'marker' && got.push(e.text));
    try {
      const p = await core.agents.spawn(id, ['sh', '-c', 'echo "phase=2 start" > /run/benchtop/events']);
      expect(p.pid).toBeGreaterThan(0);
      await until(() => got.some((t) => t.includes('phase=2 start')), 5000, 'marker');
    } finally {
      off();
    }
  });

  it('an endless loop continued under gdbserver: ping p99 ≤ 50 ms over 100 pings and LIST still answer; interrupt, read its PC', async () => {
    const d = await core.agents.debugStart(id, { spawn: [GUEST_DEBUGGEE, 'spin'] });
    try {
      const rsp = await d.debug();
      const running = d.cont();
      await until(() => d.state === 'running', 5000, 'running');
      const rtts: number[] = [];
      for (let i = 0; i < 100; i++) rtts.push((await core.agents.ping(id)).rttMs);
      const entries = await ui.list('/');
      expect(entries.some((e) => e.name === 'tmp')).toBe(true);
      const p99 = percentile(rtts, 99);
      console.log(`ping during the loop: p50 ${percentile(rtts, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
      expect(p99).toBeLessThanOrEqual(50);
      const stop = await d.interrupt();
      expect(stop).toMatchObject({ kind: 'stopped' });
      expect(await running).toMatchObject({ kind: 'stopped' });
      const pc = await rsp.readPc();
      const spin = dbg.symbols.spin!;
      expect(pc).toBeGreaterThanOrEqual(spin.addr);
      expect(pc).toBeLessThan(spin.addr + Math.max(spin.size, 4));
      const counter = (await rsp.readMemory(dbg.symbols.counter!.addr, 4)).readUInt32LE(0);
      expect(counter).toBeGreaterThan(1000);
    } finally {
      await core.agents.debugStop(id, d.id);
    }
  });

  it('gdb-multiarch -batch attaches through the bridge, breaks, continues, reads a variable, while the agent link stays live', async () => {
    const d = await core.agents.debugStart(id, { spawn: [GUEST_DEBUGGEE, 'one', '7'] });
    let pinging = true;
    const pings: number[] = [];
    const pinger = (async () => {
      while (pinging) pings.push((await core.agents.ping(id)).rttMs);
    })();
    try {
      const { stdout } = await execFileP(
        'gdb-multiarch',
        [
          '-batch',
          '-nx',
          '-ex', 'set confirm off',
          '-ex', 'set pagination off',
          '-ex', `file ${dbg.elf}`,
          '-ex', `target remote 127.0.0.1:${d.port}`,
          '-ex', 'break bp_one',
          '-ex', 'continue',
          '-ex', 'print v',
          '-ex', 'print counter',
          '-ex', 'finish',
          '-ex', 'print answer',
          '-ex', 'kill',
        ],
        { timeout: 120_000 },
      );
      expect(stdout).toMatch(/Breakpoint 1, bp_one \(v=42\)/);
      expect(stdout).toMatch(/\$1 = 42/);
      expect(stdout).toMatch(/\$2 = 1000/);
      expect(stdout).toMatch(/\$3 = 42/);
    } finally {
      pinging = false;
      await pinger;
      await core.agents.debugStop(id, d.id).catch(() => undefined);
    }
    expect(pings.length).toBeGreaterThan(5);
    expect(core.agents.status(id).state).toBe('connected');
  });

  it('two debuggees at once, each stopped at its own breakpoint', async () => {
    const [d1, d2] = await Promise.all([
      core.agents.debugStart(id, { spawn: [GUEST_DEBUGGEE, 'one', '7'] }),
      core.agents.debugStart(id, { spawn: [GUEST_DEBUGGEE, 'two', '5'] }),
    ]);
    try {
      expect(d1.port).not.toBe(d2.port);
      const [r1, r2] = await Promise.all([d1.debug(), d2.debug()]);
      await r1.insertBreakpoint(dbg.symbols.bp_one!.addr);
      await r2.insertBreakpoint(dbg.symbols.bp_two!.addr);
      const [s1, s2] = await Promise.all([d1.cont(), d2.cont()]);
      expect(s1).toMatchObject({ kind: 'stopped', signal: 5 });
      expect(s2).toMatchObject({ kind: 'stopped', signal: 5 });
      expect(await r1.readPc()).toBe(dbg.symbols.bp_one!.addr);
      expect(await r2.readPc()).toBe(dbg.symbols.bp_two!.addr);
      // r0 holds the argument at the function's entry.
      expect(Number(await r1.readRegister(0))).toBe(42);
      expect(Number(await r2.readRegister(0))).toBe(35);
      expect(core.agents.debugList(id).map((x) => x.state)).toEqual(['stopped', 'stopped']);
    } finally {
      await Promise.all([core.agents.debugStop(id, d1.id), core.agents.debugStop(id, d2.id)]);
    }
  });

  it('garbage written into the agent UART socket from the host: the link recovers within 1 s', async () => {
    const broker = core.agents.broker(id);
    // Measured 730–920 ms per recovery (the resent ping after the host's retransmit timeout):
    // the bound is on the median of five, each one must come back within 2 s.
    const recoveries: number[] = [];
    for (let i = 0; i < 5; i++) {
      const junk = crypto.randomBytes(300);
      // Make it look like a frame start with a long length, the worst case for the decoder.
      junk.set([0x42, 0x54, 1, 0x10, 0, 0, 0x00, 0x10], 0);
      broker.writeRaw(junk);
      const t0 = performance.now();
      await core.agents.ping(id, 2000);
      recoveries.push(performance.now() - t0);
    }
    expect(percentile(recoveries, 50), `recoveries ${recoveries.map((r) => r.toFixed(0)).join(', ')} ms`).toBeLessThanOrEqual(1000);
  });

  it('a guest reboot: pending requests fail with "agent link reset", the link comes back by itself', async (ctx) => {
    if (agentFrom !== 'image') ctx.skip(); // a deployed agent does not survive the reboot
    const broker = core.agents.broker(id);
    const resets0 = core.agents.status(id).resets;
    const sleeper = await core.agents.spawn(id, ['sleep', '1000']);
    const lost = new Promise<{ how: string }>((resolve) => {
      const off = core.bus.on('proc.exit', (e) => {
        if (e.sessionId === id && e.pid === sleeper.pid) {
          off();
          resolve(e);
        }
      });
    });
    await core.sessions.reset(id);
    expect((await lost).how).toBe('lost');
    await broker.ready(60_000);
    await until(() => core.agents.status(id).state === 'connected', 60_000, 'agent back');
    expect(core.agents.status(id).resets).toBeGreaterThan(resets0);
    expect(core.agents.status(id).lastReset).toMatch(/HELLO/);
    expect((await core.agents.ping(id)).uptimeMs).toBeLessThan(60_000);
    await ui.put(GUEST_DEBUGGEE, { file: dbg.stripped }, { mode: 0o755 }); // /tmp is gone with the reboot
  }, 180_000);

  it('the CLI path: files through a host path, and the contract-level status', async () => {
    const tmp = fs.mkdtempSync(path.join(core.workspace, 'x-'));
    const src = path.join(tmp, 'in.bin');
    fs.writeFileSync(src, crypto.randomBytes(100_000));
    await ui.put('/tmp/host-path.bin', { file: src });
    await ui.getToFile('/tmp/host-path.bin', path.join(tmp, 'out.bin'));
    expect(fs.readFileSync(path.join(tmp, 'out.bin')).equals(fs.readFileSync(src))).toBe(true);
    expect(core.agents.status(id).stats.framesSent).toBeGreaterThan(0);
  });
});
