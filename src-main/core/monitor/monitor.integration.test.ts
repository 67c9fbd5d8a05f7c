/**
 * The resource monitor end to end on a real mainstone guest, through the contract (the same
 * dispatcher the UI uses): agent sampler → metrics → bus and SQLite; hypervisor views and
 * memory through QMP; the record surviving a QEMU kill -9.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitorPoint, ProcSnapshot } from '../../../src-shared/features/monitor';
import type { Api } from '../../../src-shared/transport';
import { bootToPrompt, liveCore, waitForState } from '../../../test/live-core';
import { inProcessApi } from '../api';
import type { AgentChannel } from '../agent/client';
import { ensureAgent } from '../agent/deploy';
import { buildGuestProgram } from '../agent/testing/debuggee';
import { until } from '../agent/testing/native-agent';
import type { Core } from '../core';

let core: Core;
let dispose: () => Promise<void>;
let id: string;
let api: Api;
let ch: AgentChannel;
const points: MonitorPoint[] = [];
const tables: ProcSnapshot[] = [];

beforeAll(async () => {
  ({ core, dispose } = await liveCore());
  api = inProcessApi(core);
  api.on('monitor.samples', (e) => e.sessionId === id && points.push(...e.points));
  api.on('monitor.procs', (e) => e.sessionId === id && tables.push(e));
  id = await bootToPrompt(core, 'monitor');
  await ensureAgent(core, id, { timeoutMs: 60_000 });
  ch = core.agents.channel(id, 'test');
  await until(async () => (await api.monitor.state({ id })).active && tables.length >= 2, 30_000, 'sampling with two process tables');
}, 300_000);
afterAll(async () => dispose?.());

/** Resolves with the first point (after now) that satisfies `pred`. */
function nextPoint(pred: (p: MonitorPoint) => boolean, timeoutMs: number, what: string): Promise<MonitorPoint> {
  const from = points.length;
  return until(() => points.slice(from).some(pred), timeoutMs, what).then(() => points.slice(from).find(pred)!);
}

describe('resource monitor on a real mainstone guest', () => {
  it('samples at the default 10 Hz with a timer IRQ rate and plausible memory', async () => {
    const state = await api.monitor.state({ id });
    expect(state).toMatchObject({ active: true, rateHz: 10, procRateHz: 1, reason: null });
    const timer = state.irqLines.find((l) => /timer|ost/i.test(l.name));
    expect(timer, `a timer line among ${JSON.stringify(state.irqLines)}`).toBeDefined();
    const n0 = points.length;
    const t0 = performance.now();
    await until(() => points.length >= n0 + 30, 10_000, '30 samples');
    const hz = ((points.length - n0) * 1000) / (performance.now() - t0);
    expect(hz).toBeGreaterThan(7);
    expect(hz).toBeLessThan(13);
    const last = points.at(-1)!;
    expect(last.irq[timer!.id]).toBeGreaterThan(0);
    expect(last.mem.totalKb).toBeGreaterThan(40_000); // 64 MiB board, minus the kernel's own
    expect(last.mem.totalKb).toBeLessThanOrEqual(65_536);
    expect(last.host?.qemuRssKb).toBeGreaterThan(10_000);
  });

  it('a CPU burner shows > 80 % user within 2 s, tops the table, and agrees with busybox top within 5 points', async () => {
    const burner = await ch.spawn(['sh', '-c', 'while :; do :; done']);
    try {
      const t0 = performance.now();
      const hot = await nextPoint((p) => p.cpu.user > 80, 5000, 'user CPU > 80 %');
      expect(performance.now() - t0).toBeLessThan(2000 + 200); // + one sample interval of slack for the event hop
      expect(hot.cpu.user).toBeGreaterThan(80);
      const tableFrom = tables.length;
      await until(() => tables.length >= tableFrom + 2, 5000, 'two more process tables');
      const top = [...tables.at(-1)!.procs].sort((a, b) => b.cpuPct - a.cpuPct)[0]!;
      expect(top.pid).toBe(burner.pid);
      expect(top.cmdline).toContain('while');
      // busybox top's own view: its second frame covers the 3 s after its first. Compare with
      // the mean of our scans whose whole 1 s interval lies inside that window (top itself costs
      // CPU while it starts, so any other interval would compare different things).
      let out = '';
      let firstFrameAt = 0;
      const ours: { t: number; pct: number }[] = [];
      const off = api.on('monitor.procs', (e) => e.sessionId === id && ours.push({ t: e.t, pct: e.procs.find((p) => p.pid === burner.pid)?.cpuPct ?? -1 }));
      const top2 = await ch.spawn(['top', '-b', '-n', '2', '-d', '3'], {
        onOutput: (_s, d) => {
          firstFrameAt ||= Date.now();
          out += d.toString();
        },
      });
      await top2.exited;
      const secondFrameAt = Date.now();
      off();
      const frames = out.split(/^Mem:/m);
      const row = frames.at(-1)!.split('\n').find((l) => new RegExp(`^\\s*${burner.pid}\\s`).test(l));
      expect(row, `burner row in busybox top:\n${out}`).toBeDefined();
      // busybox top: PID PPID USER STAT VSZ %VSZ %CPU COMMAND
      const theirs = Number(row!.trim().split(/\s+/)[6]!.replace('%', ''));
      const inside = ours.filter((o) => o.t >= firstFrameAt + 1100 && o.t <= secondFrameAt - 100).map((o) => o.pct);
      expect(inside.length, `our scans inside busybox top's window: ${JSON.stringify(ours)} window ${firstFrameAt}..${secondFrameAt}`).toBeGreaterThanOrEqual(1);
      const mean = inside.reduce((a, b) => a + b, 0) / inside.length;
      expect(Math.abs(mean - theirs), `ours ${inside.map((x) => x.toFixed(1)).join(', ')} (mean ${mean.toFixed(1)}) vs busybox top ${theirs}`).toBeLessThanOrEqual(5);
    } finally {
      await burner.signal('SIGKILL');
      await burner.exited;
    }
  });

  it('a memory hog raises used memory by its size ±10 %', async () => {
    const hog = buildGuestProgram(path.join(__dirname, 'testing', 'memhog.c'));
    await ch.put('/tmp/memhog', { file: hog.stripped }, { mode: 0o755 });
    const settle = async () => {
      const from = points.length;
      await until(() => points.length >= from + 10, 5000, '10 samples');
      const xs = points.slice(-10).map((p) => p.mem.usedKb).sort((a, b) => a - b);
      return xs[5]!;
    };
    const before = await settle();
    let ready = '';
    const p = await ch.spawn(['/tmp/memhog', '16'], { onOutput: (_s, d) => (ready += d.toString()) });
    try {
      await until(() => ready.includes('ready'), 10_000, 'memhog ready');
      const after = await settle();
      const grewKb = after - before;
      expect(grewKb).toBeGreaterThan(16 * 1024 * 0.9);
      expect(grewKb).toBeLessThan(16 * 1024 * 1.1);
      const row = tables.at(-1)!.procs.find((r) => r.pid === p.pid);
      expect(row?.rssKb).toBeGreaterThan(16 * 1024);
    } finally {
      await p.signal('SIGKILL');
      await p.exited;
    }
  });

  it('changes the sampling rate live', async () => {
    await api.monitor.configure({ id, rateHz: 25 });
    const n0 = points.length;
    const t0 = performance.now();
    await until(() => points.length >= n0 + 50, 10_000, '50 samples at 25 Hz');
    const hz = ((points.length - n0) * 1000) / (performance.now() - t0);
    expect(hz).toBeGreaterThan(18);
    await api.monitor.configure({ id, rateHz: 10 });
  });

  it('hypervisor views: registers and memory map answer, the PXA interrupt controller says why it has nothing', async () => {
    const regs = await api.inspect.view({ id, view: 'registers' });
    expect(regs.supported).toBe(true);
    expect(regs.text).toMatch(/R15=[0-9a-f]{8}/);
    expect((await api.inspect.view({ id, view: 'mtree' })).text).toContain('pxa270.sdram');
    const pic = await api.inspect.view({ id, view: 'pic' });
    expect(pic.supported).toBe(false);
    expect(pic.text).toMatch(/PXA2xx/);
  });

  it('a physical dump equals QEMU xp; an unmapped virtual address and a device register give clear errors', async () => {
    const address = 0xa0008000; // the kernel's first page in SDRAM
    const dump = Buffer.from((await api.inspect.memory({ id, space: 'physical', address, length: 64 })).base64, 'base64');
    const xp = await core.sessions.qemu(id).qmpClient.hmp(`xp /64xb 0x${address.toString(16)}`);
    const xpBytes = [...xp.matchAll(/0x([0-9a-f]{2})\b/g)].map((m) => parseInt(m[1]!, 16));
    expect([...dump]).toEqual(xpBytes);
    // The same page through the kernel's linear map (virtual 0xc0008000).
    const virt = Buffer.from((await api.inspect.memory({ id, space: 'virtual', address: 0xc0008000, length: 64 })).base64, 'base64');
    expect(virt.equals(dump)).toBe(true);
    await expect(api.inspect.memory({ id, space: 'virtual', address: 0x10, length: 16 })).rejects.toMatchObject({ code: 'not-mapped', message: expect.stringContaining('not mapped') });
    await expect(api.inspect.memory({ id, space: 'physical', address: 0x40100000, length: 4 })).rejects.toThrow(/device I\/O/);
  });

  it('samples survive a QEMU kill -9 and the stopped session shows them', async () => {
    const emitted = points.length;
    const lastT = points.at(-1)!.t;
    process.kill(core.sessions.qemu(id).pid!, 'SIGKILL');
    await waitForState(core, id, 'crashed', 5000);
    const series = await api.monitor.series({ id });
    expect(series.points.length).toBeGreaterThanOrEqual(emitted - 10); // all but the last second at 10 Hz
    expect(series.points.at(-1)!.t).toBeGreaterThan(lastT - 1000);
    expect(series.irqLines.length).toBeGreaterThan(0);
    expect(series.procTimes.length).toBeGreaterThanOrEqual(tables.length - 1);
    const mid = series.procTimes[Math.floor(series.procTimes.length / 2)]!;
    const snap = await api.monitor.procs({ id, at: mid + 1 });
    expect(snap?.t).toBe(mid);
    expect(snap?.procs.some((p) => p.pid === 1)).toBe(true);
    expect((await api.monitor.state({ id })).active).toBe(false);
    const runs = await api.monitor.runs({ id });
    expect(runs.at(-1)).toMatchObject({ run: 1, samples: series.points.length });
  });
});
