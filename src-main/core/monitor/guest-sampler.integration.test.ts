/**
 * The agent's resource sampler on a real mainstone guest (64 MiB, one ARMv5 CPU under QEMU):
 * rate, counters, the process table following a busy loop, memory, the timer interrupt,
 * MON_CONFIG and MON_STOP — through openGuestSampler, the real agent of the image and the
 * real link. The metrics service's own sampler is shut off so that this stream is the only
 * one on the guest and the rates measured are this stream's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootToPrompt, liveCore } from '../../../test/live-core';
import type { Core } from '../core';
import type { AgentChannel } from '../agent/client';
import { ensureAgent } from '../agent/deploy';
import { until } from '../agent/testing/native-agent';
import type { GuestSample, GuestSampler } from './guest-sample';
import { openGuestSampler } from './guest-sampler';

let core: Core;
let dispose: () => Promise<void>;
let ch: AgentChannel;
let sampler: GuestSampler;
const samples: GuestSample[] = [];
const errors: Error[] = [];
/** Host arrival time (performance.now) of each sample. */
const arrived: number[] = [];

beforeAll(async () => {
  ({ core, dispose } = await liveCore());
  core.monitor.close();
  const id = await bootToPrompt(core, 'monitor');
  await ensureAgent(core, id, { graceMs: 5000, timeoutMs: 60_000 });
  expect(core.agents.status(id).capabilities.services?.split(',')).toContain('monitor');
  ch = core.agents.channel(id, 'monitor-test');
  sampler = await openGuestSampler(ch, {
    intervalMs: 100,
    procEvery: 10,
    onSample: (s) => {
      samples.push(s);
      arrived.push(performance.now());
    },
    onError: (e) => errors.push(e),
  });
}, 300_000);
afterAll(async () => dispose?.());

const scans = () => samples.filter((s) => s.procs);
const lastScan = () => scans().at(-1)!;

describe('guest sampler on a real mainstone guest', () => {
  it('answers MON_START with the guest parameters; the first sample is complete', async () => {
    expect(sampler.info).toMatchObject({ clkTck: 100, pageSize: 4096 });
    await until(() => samples.length >= 1, 5000, 'first sample');
    const s = samples[0]!;
    expect(s.seq).toBe(0);
    expect(s.procs).toBeDefined();
    const init = s.procs!.get(1)!;
    expect(init).toMatchObject({ pid: 1, ppid: 0, uid: 0, kernelThread: false, exe: '/bin/busybox' });
    expect(s.procs!.get(2)).toMatchObject({ comm: 'kthreadd', kernelThread: true, cmdline: '', vszKb: 0 });
    const agent = [...s.procs!.values()].find((p) => p.comm === 'benchtop-agent')!;
    expect(agent.cmdline).toBe('/usr/sbin/benchtop-agent /dev/ttyS1');
    expect(agent.exe).toBe('/usr/sbin/benchtop-agent');
  });

  it('samples arrive at ~10 Hz with monotonic counters', async () => {
    const n0 = samples.length;
    await until(() => samples.length >= n0 + 60, 15_000, '60 samples');
    const n1 = samples.length - 1;
    const hostHz = ((n1 - n0) / (arrived[n1]! - arrived[n0]!)) * 1000;
    const guestHz = ((n1 - n0) / (samples[n1]!.monoUs - samples[n0]!.monoUs)) * 1e6;
    console.log(`rate: ${hostHz.toFixed(2)} Hz at the host, ${guestHz.toFixed(2)} Hz by the guest's clock`);
    expect(guestHz).toBeGreaterThan(9);
    expect(guestHz).toBeLessThan(10.2);
    expect(hostHz).toBeGreaterThan(8.5);
    expect(hostHz).toBeLessThan(11);
    for (let i = 1; i < samples.length; i++) {
      const [p, q] = [samples[i - 1]!, samples[i]!];
      expect(q.seq).toBe(p.seq + 1);
      expect(q.monoUs).toBeGreaterThan(p.monoUs);
      for (const k of ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const) expect(q.cpu[k]).toBeGreaterThanOrEqual(p.cpu[k]);
      expect(q.ctxt).toBeGreaterThanOrEqual(p.ctxt);
      expect(q.forks).toBeGreaterThanOrEqual(p.forks);
    }
    // Every 10th sample scans the processes.
    for (const s of samples) expect(s.procs !== undefined).toBe(s.seq % 10 === 0);
    expect(errors).toEqual([]);
  });

  it('memory figures are plausible for a 64 MiB board', () => {
    const m = samples.at(-1)!.mem;
    expect(m.totalKb).toBeGreaterThan(48 * 1024);
    expect(m.totalKb).toBeLessThanOrEqual(64 * 1024);
    expect(m.freeKb).toBeLessThan(m.totalKb);
    expect(m.availableKb).toBeGreaterThan(m.freeKb / 2);
    expect(m.availableKb).toBeLessThanOrEqual(m.totalKb);
    expect(m.cachedKb + m.buffersKb + m.slabKb).toBeLessThan(m.totalKb);
    expect(m.slabKb).toBeGreaterThan(0);
  });

  it('the timer interrupt line (ost0) counts up', async () => {
    const first = samples[0]!;
    const timer = [...first.irqNames].find(([, d]) => /ost0/.test(d))?.[0];
    expect(timer, `interrupt lines: ${JSON.stringify([...first.irqNames])}`).toBeDefined();
    const c0 = samples.at(-1)!.irqs.get(timer!)!;
    await until(() => samples.at(-1)!.irqs.get(timer!)! > c0 + 10, 5000, 'timer interrupts');
    // A line's name is sent once, not with every sample.
    expect(samples.slice(1).every((s) => !s.irqNames.has(timer!))).toBe(true);
  });

  it('a busy loop appears with its CPU time growing and disappears after SIGKILL', async () => {
    const p = await ch.spawn(['sh', '-c', 'while :; do :; done']);
    try {
      const n = scans().length;
      await until(() => scans().length > n && lastScan().procs!.has(p.pid), 5000, 'busy loop in a scan');
      const a = lastScan().procs!.get(p.pid)!;
      expect(a).toMatchObject({ comm: 'sh', cmdline: 'sh -c while :; do :; done', kernelThread: false, uid: 0 });
      await until(() => (lastScan().procs!.get(p.pid)?.utime ?? 0) > a.utime + 50, 10_000, 'utime growing');
      // It takes most of the CPU: the system counters see it too.
      const s0 = samples.at(-11)!;
      const s1 = samples.at(-1)!;
      const busy = s1.cpu.user - s0.cpu.user;
      const all = Object.values(s1.cpu).reduce((x, y) => x + y) - Object.values(s0.cpu).reduce((x, y) => x + y);
      expect(busy / all).toBeGreaterThan(0.5);
    } finally {
      await ch.signal(p.pid, 'SIGKILL');
    }
    await p.exited;
    const n = scans().length;
    await until(() => scans().length > n && !lastScan().procs!.has(p.pid), 5000, 'busy loop gone');
  }, 30_000);

  it('MON_CONFIG changes the rate; MON_STOP ends the stream', async () => {
    await sampler.configure(50, 20);
    const n0 = samples.length + 2; // the first gap after the change may be the old interval
    await until(() => samples.length >= n0 + 60, 10_000, '60 samples at 50 ms');
    const n1 = samples.length - 1;
    const guestHz = ((n1 - n0) / (samples[n1]!.monoUs - samples[n0]!.monoUs)) * 1e6;
    console.log(`after MON_CONFIG 50 ms: ${guestHz.toFixed(2)} Hz by the guest's clock`);
    expect(guestHz).toBeGreaterThan(17);
    expect(guestHz).toBeLessThan(20.5);
    await sampler.stop();
    const end = await sampler.ended;
    expect(end.reason).toMatch(/^stopped after \d+ samples/);
    const count = samples.length;
    expect(end.reason).toContain(`after ${count} samples`);
    // Nothing more arrives: wait for a PING round trip (the link carries frames in order).
    await ch.ping();
    expect(samples.length).toBe(count);
    expect(errors).toEqual([]);
  }, 30_000);

  it('batch 5: the same 10 Hz by the guest clock, arriving five samples to a frame', async () => {
    const got: { s: GuestSample; at: number }[] = [];
    const b = await openGuestSampler(ch, { intervalMs: 100, procEvery: 10, batch: 5, onSample: (s) => got.push({ s, at: performance.now() }) });
    try {
      await until(() => got.length >= 31, 10_000, '31 batched samples');
    } finally {
      await b.stop();
    }
    const xs = got.slice(1, 31); // the first sample (full state) may have come alone
    const guestHz = ((xs.length - 1) / (xs.at(-1)!.s.monoUs - xs[0]!.s.monoUs)) * 1e6;
    expect(guestHz).toBeGreaterThan(9);
    expect(guestHz).toBeLessThan(10.2);
    // Arrivals come in bursts: far fewer distinct arrival moments than samples.
    const bursts = xs.filter((x, i) => i === 0 || x.at - xs[i - 1]!.at > 20).length;
    expect(bursts).toBeLessThanOrEqual(8);
    expect((await b.ended).reason).toMatch(/^stopped after \d+ samples/);
  }, 30_000);
});
