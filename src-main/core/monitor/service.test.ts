/** MonitorService over a fake sampler stream (the real stream is in guest-sampler.integration.test.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../src-shared/features/agent';
import type { AgentService } from '../agent/service';
import { EventBus } from '../events';
import type { SessionService } from '../sessions/service';
import { openDb } from '../store/db';
import type { GuestProc, GuestSample, GuestSampler } from './guest-sample';
import { intervalFor, MonitorService, type OpenSampler } from './service';
import { MonitorStore } from './store';

const status = (state: AgentStatus['state']): AgentStatus => ({
  sessionId: 's1', state, capabilities: {}, connectedAt: 0, resets: 0, lastReset: null,
  stats: { framesSent: 0, framesReceived: 0, retransmits: 0, timeouts: 0, bytesSkipped: 0 },
});

function sample(seq: number, busyTicks: number, procs?: Map<number, GuestProc>): GuestSample {
  return {
    seq,
    monoUs: 5_000_000 + seq * 100_000,
    cpu: { user: busyTicks, nice: 0, system: 0, idle: seq * 10 - busyTicks, iowait: 0, irq: 0, softirq: 0, steal: 0 },
    ctxt: seq * 30, forks: 3, procsRunning: 2, procsBlocked: 0,
    mem: { totalKb: 62000, freeKb: 30000, availableKb: 40000, buffersKb: 500, cachedKb: 4000, shmemKb: 0, slabKb: 1000 },
    irqs: new Map([['25', seq * 10]]),
    irqNames: seq === 0 ? new Map([['25', 'pxa2xx-timer']]) : new Map(),
    procs,
  };
}

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-monsvc-'));
  const db = openDb(path.join(dir, 'w.sqlite'));
  db.prepare(`INSERT INTO sessions (id, name, board, state, created_at, runs) VALUES ('s1', 's1', 'mainstone', 'running', 0, 3)`).run();
  const bus = new EventBus();
  const sessions = { get: () => ({ id: 's1', state: 'running', runs: 3, determinism: { mode: 'off' } }), qemu: () => ({ pid: process.pid }) } as unknown as SessionService;
  const agents = { channel: () => ({ get: async () => Buffer.from('root:x:0:0::/root:/bin/sh\nwww:x:33:33::/:/bin/false\n') }) } as unknown as AgentService;
  let feed: ((s: GuestSample) => void) | null = null;
  const configured: number[][] = [];
  let endStream!: (r: { reason: string }) => void;
  const openSampler: OpenSampler = async (_ch, o) => {
    feed = o.onSample;
    configured.push([o.intervalMs, o.procEvery]);
    const sampler: GuestSampler = {
      info: { clkTck: 100, pageSize: 4096, monoUs: 5_000_000 },
      configure: async (i, p) => void configured.push([i, p]),
      stop: async () => undefined,
      ended: new Promise((r) => (endStream = r)),
    };
    return sampler;
  };
  let now = 1_000_000;
  const store = new MonitorStore(db);
  const svc = new MonitorService({ bus, sessions, agents, store, openSampler, now: () => now });
  const events: { name: string; payload: unknown }[] = [];
  bus.onAny((name, payload) => events.push({ name, payload }));
  return { bus, svc, store, events, configured, feed: (s: GuestSample) => { now += 100; feed!(s); }, end: (reason: string) => endStream({ reason }) };
}

const flushPromises = () => new Promise((r) => setTimeout(r, 0));

describe('MonitorService', () => {
  it('starts when the agent link comes up, publishes points and process tables, and saves them', async () => {
    const t = setup();
    t.bus.emit('agent.status', status('connected'));
    await flushPromises();
    expect(t.configured).toEqual([[100, 10]]);
    expect(t.svc.state('s1')).toMatchObject({ active: true, rateHz: 10, procRateHz: 1, run: 3 });
    const p = (cpu: number, pid = 77) => new Map([[pid, { pid, ppid: 1, state: 'R', utime: cpu, stime: 0, startTicks: 400, vszKb: 900, rssKb: 300, threads: 1, uid: 33, comm: 'burn', cmdline: 'burn -f', exe: '/bin/burn', kernelThread: false }]]);
    t.feed(sample(0, 0, p(0)));
    for (let i = 1; i <= 10; i++) t.feed(sample(i, i * 9, i === 10 ? p(90) : undefined));
    const pts = t.events.filter((e) => e.name === 'monitor.samples');
    expect(pts.length).toBe(10); // the first sample is only a baseline
    expect((pts[0]!.payload as { points: { cpu: { user: number } }[] }).points[0]!.cpu.user).toBeCloseTo(90);
    const tables = t.events.filter((e) => e.name === 'monitor.procs').map((e) => e.payload as { procs: { cpuPct: number; user: string }[] });
    expect(tables.length).toBe(2);
    expect(tables[1]!.procs[0]).toMatchObject({ cpuPct: 90, user: 'www' });
    expect(t.svc.state('s1').irqLines).toEqual([{ id: '25', name: 'pxa2xx-timer' }]);
    t.svc.flush();
    expect(t.store.points('s1', 3).length).toBe(10);
    expect(t.store.snapshot('s1', 3)?.procs[0]?.cmdline).toBe('burn -f');
  });

  it('changes the rates live and refuses for a session it does not sample', async () => {
    const t = setup();
    t.bus.emit('agent.status', status('connected'));
    await flushPromises();
    await t.svc.configure('s1', 50, 5);
    expect(t.configured.at(-1)).toEqual([20, 10]);
    expect(intervalFor(2, 5)).toEqual({ intervalMs: 500, procEvery: 1 }); // processes never faster than the system rate
    t.bus.emit('session.changed', { id: 's1', state: 'stopped' } as never);
    await expect(t.svc.configure('s1', 10)).rejects.toThrow(/not being sampled/);
  });

  it('flushes and goes inactive when the stream ends, and restarts on the next link-up', async () => {
    const t = setup();
    t.bus.emit('agent.status', status('connected'));
    await flushPromises();
    t.feed(sample(0, 0));
    t.feed(sample(1, 5));
    t.end('agent link reset');
    await flushPromises();
    expect(t.svc.state('s1')).toMatchObject({ active: false, reason: expect.stringContaining('agent link reset') });
    expect(t.store.points('s1', 3).length).toBe(1);
    t.bus.emit('agent.status', status('connected'));
    await flushPromises();
    expect(t.svc.state('s1').active).toBe(true);
    expect(t.configured.length).toBe(2);
  });
});
