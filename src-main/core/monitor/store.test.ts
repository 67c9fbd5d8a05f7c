import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MonitorPoint } from '../../../src-shared/features/monitor';
import { openDb } from '../store/db';
import { MonitorStore, type StoredProc } from './store';

function db() {
  const d = openDb(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bt-mon-')), 'w.sqlite'));
  d.prepare(`INSERT INTO sessions (id, name, board, state, created_at, runs) VALUES ('s1', 's1', 'mainstone', 'running', 0, 2)`).run();
  return d;
}

const point = (t: number, user: number): MonitorPoint => ({
  t,
  cpu: { user, nice: 0, system: 5, iowait: 0, irq: 1, softirq: 0, idle: 94 - user, steal: 0 },
  mem: { totalKb: 61000, usedKb: 9000, freeKb: 40000, availableKb: 50000, buffersKb: 1000, cachedKb: 11000 },
  irq: { '25': 100, Err: 0 },
  ctxtPerS: 300,
  forksPerS: 1,
  procsRunning: 1,
  procsBlocked: 0,
  host: t % 2 ? null : { qemuCpuPct: 40, qemuRssKb: 90000 },
});

const proc = (pid: number, cpuPct: number, over: Partial<StoredProc> = {}): StoredProc => ({
  pid, ppid: 1, user: 'root', uid: 0, state: 'R', cpuPct, rssKb: 100, vszKb: 2000, threads: 1, comm: `c${pid}`, cmdline: `/bin/c${pid} -x`, exe: `/bin/c${pid}`, kernelThread: false, startTicks: 10, ...over,
});

describe('MonitorStore', () => {
  it('keeps points, IRQ lines and process snapshots per run, and gives them back as written', () => {
    const store = new MonitorStore(db());
    store.write('s1', 1, { points: [{ point: point(1000, 10), guestUs: 1 }], snapshots: [], irqLines: [{ id: '25', name: 'timer' }] });
    const pts = Array.from({ length: 100 }, (_, i) => ({ point: point(2000 + i * 100, i % 50), guestUs: i }));
    store.write('s1', 2, {
      points: pts,
      snapshots: [
        { t: 2000, procs: [proc(1, 0), proc(42, 97.5)] },
        { t: 3000, procs: [proc(1, 0.5), proc(43, 12, { comm: 'sh', cmdline: 'sh -c x', startTicks: 20 })] },
      ],
      irqLines: [{ id: '25', name: 'pxa-timer' }, { id: 'Err', name: '' }],
    });
    expect(store.runs('s1')).toEqual([
      { run: 1, from: 1000, to: 1000, samples: 1, procSnapshots: 0 },
      { run: 2, from: 2000, to: 2000 + 99 * 100, samples: 100, procSnapshots: 2 },
    ]);
    expect(store.latestRun('s1')).toBe(2);
    const back = store.points('s1', 2);
    expect(back).toEqual(pts.map((p) => p.point));
    expect(store.irqLines('s1', 2)).toEqual([{ id: '25', name: 'pxa-timer' }, { id: 'Err', name: '' }]);
    expect(store.procTimes('s1', 2)).toEqual([2000, 3000]);
    const withoutStart = ({ startTicks: _s, ...row }: StoredProc) => row;
    expect(store.snapshot('s1', 2, 2500)).toEqual({ t: 2000, procs: [proc(1, 0), proc(42, 97.5)].map(withoutStart) });
    expect(store.snapshot('s1', 2)?.procs.map((p) => [p.pid, p.comm, p.cpuPct])).toEqual([[1, 'c1', 0.5], [43, 'sh', 12]]);
    expect(store.snapshot('s1', 2, 1999)).toBeNull();
  });

  it('thins evenly to maxPoints and clips to [from, to]', () => {
    const store = new MonitorStore(db());
    store.write('s1', 1, { points: Array.from({ length: 1000 }, (_, i) => ({ point: point(i, 1), guestUs: i })), snapshots: [], irqLines: [] });
    const thin = store.points('s1', 1, undefined, undefined, 100);
    expect(thin.length).toBe(100);
    expect(thin[1]!.t - thin[0]!.t).toBe(10);
    const clip = store.points('s1', 1, 100, 199);
    expect([clip[0]!.t, clip.at(-1)!.t, clip.length]).toEqual([100, 199, 100]);
  });
});
