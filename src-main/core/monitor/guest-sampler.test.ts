/**
 * openGuestSampler against the real C agent built for this machine (`--stdio`, the host's own
 * /proc): the agent's encoder and the TypeScript decoder together, checked against what /proc
 * says directly. The guest is covered by guest-sampler.integration.test.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamKind } from '../agent/client';
import { FrameType } from '../agent/frame-codec';
import { startNativeAgent, until, type NativeAgent } from '../agent/testing/native-agent';
import type { GuestSample } from './guest-sample';
import { openGuestSampler } from './guest-sampler';

const agents: NativeAgent[] = [];
afterEach(() => {
  for (const a of agents.splice(0)) a.close();
});

function agent(): NativeAgent {
  const a = startNativeAgent();
  agents.push(a);
  return a;
}

const statLine = (pid: number) => {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { comm, state: f[0]!, ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), start: Number(f[19]) };
};
const memTotal = () => Number(/MemTotal:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]);
const cpuLine = () => fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1, 9).map(Number);

async function open(a: NativeAgent, intervalMs: number, procEvery: number) {
  const samples: GuestSample[] = [];
  const errors: Error[] = [];
  const ch = a.client.channel('monitor');
  const s = await openGuestSampler(ch, { intervalMs, procEvery, onSample: (x) => samples.push(x), onError: (e) => errors.push(e) });
  return { s, samples, errors, ch };
}

describe('openGuestSampler ↔ native agent', () => {
  it('samples agree with /proc read directly; processes come and go', async () => {
    const a = agent();
    const cpuBefore = cpuLine();
    const { s, samples, errors } = await open(a, 50, 2);
    expect(s.info.clkTck).toBe(100);
    expect(s.info.pageSize).toBeGreaterThanOrEqual(4096);
    await until(() => samples.length >= 1, 5000, 'first sample');
    const first = samples[0]!;
    expect(first.seq).toBe(0);
    expect(first.monoUs).toBeGreaterThanOrEqual(s.info.monoUs);
    expect(first.mem.totalKb).toBe(memTotal());
    expect(first.mem.availableKb).toBeGreaterThan(0);
    const cpu = [first.cpu.user, first.cpu.nice, first.cpu.system, first.cpu.idle, first.cpu.iowait, first.cpu.irq, first.cpu.softirq, first.cpu.steal];
    const cpuAfter = cpuLine();
    cpu.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(cpuBefore[i]!);
      expect(v).toBeLessThanOrEqual(cpuAfter[i]!);
    });
    expect(first.irqs.size).toBeGreaterThan(0);
    expect(first.irqNames.size).toBe(first.irqs.size); // the first sample names every line

    // The full table: the agent itself and this test process, as /proc shows them.
    const me = first.procs!.get(process.pid)!;
    const direct = statLine(process.pid);
    expect(me).toMatchObject({ pid: process.pid, comm: direct.comm, ppid: direct.ppid, startTicks: direct.start, kernelThread: false });
    expect(me.exe).toBe(fs.readlinkSync('/proc/self/exe'));
    const ag = first.procs!.get(a.child.pid!)!;
    expect(ag.comm).toBe('benchtop-agent');
    expect(ag.cmdline).toContain('--stdio');
    expect(ag.uid).toBe(process.getuid!());
    expect(first.procs!.get(2)?.kernelThread ?? true).toBe(true); // kthreadd, when this /proc shows it

    // A busy child appears with its CPU time growing, then leaves the table.
    const busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    const pid = busy.pid!;
    const last = () => samples.filter((x) => x.procs).at(-1)!;
    await until(() => last().procs!.has(pid), 5000, 'busy child in a scan');
    const t0 = last().procs!.get(pid)!;
    await until(() => (last().procs!.get(pid)?.utime ?? 0) + (last().procs!.get(pid)?.stime ?? 0) >= t0.utime + t0.stime + 10, 10_000, 'utime growing');
    expect(last().procs!.get(pid)).toMatchObject({ comm: 'sh', cmdline: 'sh -c while :; do :; done', kernelThread: false });
    busy.kill('SIGKILL');
    await until(() => !last().procs!.has(pid), 5000, 'busy child gone');

    // Counters never go backwards; a scan every 2nd sample.
    for (let i = 1; i < samples.length; i++) {
      const [p, q] = [samples[i - 1]!, samples[i]!];
      expect(q.seq).toBe(p.seq + 1);
      expect(q.monoUs).toBeGreaterThan(p.monoUs);
      expect(q.cpu.idle).toBeGreaterThanOrEqual(p.cpu.idle);
      expect(q.ctxt).toBeGreaterThanOrEqual(p.ctxt);
      expect(q.forks).toBeGreaterThanOrEqual(p.forks);
      expect(q.procs !== undefined).toBe(q.seq % 2 === 0);
    }
    expect(errors).toEqual([]);
    await s.stop();
    expect((await s.ended).reason).toMatch(/^stopped after \d+ samples/);
  }, 30_000);

  it('configure changes the rate; stop ends the stream; a second stream on the channel is EBUSY', async () => {
    const a = agent();
    const { s, samples, ch } = await open(a, 20, 1000);
    await expect(openGuestSampler(ch, { intervalMs: 20, procEvery: 1, onSample: () => undefined })).rejects.toMatchObject({ errno: 16 });
    await until(() => samples.length >= 20, 5000, '20 samples at 20 ms');
    const gaps = (xs: GuestSample[]) => xs.slice(1).map((x, i) => (x.monoUs - xs[i]!.monoUs) / 1000);
    const fast = gaps(samples.slice(-15));
    expect(fast.reduce((x, y) => x + y) / fast.length).toBeLessThan(30);
    await s.configure(200, 1);
    const n = samples.length;
    await until(() => samples.length >= n + 6, 5000, 'samples at 200 ms');
    const slow = gaps(samples.slice(n + 1));
    expect(Math.min(...slow)).toBeGreaterThan(150);
    expect(samples.slice(n + 1).every((x) => x.procs)).toBe(true);
    await s.stop();
    const count = samples.length;
    expect((await s.ended).reason).toContain(`stopped after ${count} samples`);
    await expect(s.configure(100, 1)).rejects.toMatchObject({ reason: 'closed' });
    // The channel is free again.
    const again = await openGuestSampler(ch, { intervalMs: 100, procEvery: 1, onSample: () => undefined });
    await again.stop();
  }, 30_000);

  it('a link reset (agent restarted) ends the sampler with the reason', async () => {
    const a = agent();
    const { s, samples, errors } = await open(a, 50, 1);
    await until(() => samples.length >= 2, 5000, 'samples');
    a.reboot();
    const end = await s.ended;
    expect(end.reason).toMatch(/link reset/);
    expect(errors.some((e) => /link reset/.test(e.message))).toBe(true);
  }, 20_000);

  it('a record that does not decode ends the sampler and frees the channel (MON_STOP)', async () => {
    const a = agent();
    let requestId = -1;
    let channel = -1;
    a.client.link.on('message', (m) => {
      if (m.type === FrameType.STREAM && m.payload[0] === StreamKind.MONITOR) [requestId, channel] = [m.requestId, m.channel];
    });
    const { s, samples, errors, ch } = await open(a, 50, 1);
    await until(() => samples.length >= 2 && requestId > 0, 5000, 'samples');
    // A garbled record on the stream's request id, as if the agent had sent it (the link's CRC
    // keeps real garbage out; this stands for a decoder and encoder that disagree).
    a.client.link.emit('message', { type: FrameType.STREAM, channel, requestId, payload: Buffer.from([StreamKind.MONITOR, 2, 0xff, 0]) });
    const end = await s.ended;
    expect(end.reason).toMatch(/^monitor stream: /);
    expect(errors).toHaveLength(1);
    const n = samples.length;
    // The agent was told to stop: the channel takes a new stream (no EBUSY), the old one sends nothing.
    await until(async () => {
      try {
        const again = await openGuestSampler(ch, { intervalMs: 100, procEvery: 1, onSample: () => undefined });
        await again.stop();
        return true;
      } catch {
        return false;
      }
    }, 5000, 'the channel free again');
    expect(samples.length).toBe(n);
  }, 20_000);

  it('rejects bad rates with EINVAL', async () => {
    const a = agent();
    const ch = a.client.channel('monitor');
    for (const [iv, every, batch] of [[5, 1, 1], [2000, 1, 1], [100, 0, 1], [100, 1, 0], [100, 1, 51]] as const) {
      await expect(openGuestSampler(ch, { intervalMs: iv, procEvery: every, batch, onSample: () => undefined })).rejects.toMatchObject({ errno: 22 });
    }
  });
});
