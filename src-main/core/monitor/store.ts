/**
 * The monitor's record in the workspace database (tables of migration 2 in ../store/db.ts).
 * Writes come in batches (one transaction per flush, about once a second), so a QEMU or
 * host crash loses at most the unflushed second; reads serve reopened sessions and scrubbing.
 */
import type { IrqLine, MonitorPoint, ProcRow, ProcSnapshot } from '../../../src-shared/features/monitor';
import type { Db } from '../store/db';

export interface StoredProc extends ProcRow {
  startTicks: number;
}

export interface PendingSnapshot {
  t: number;
  procs: StoredProc[];
}

export interface RunSummary {
  run: number;
  from: number;
  to: number;
  samples: number;
  procSnapshots: number;
}

type PointRow = {
  t: number;
  cpu_user: number; cpu_nice: number; cpu_system: number; cpu_iowait: number; cpu_irq: number; cpu_softirq: number; cpu_idle: number; cpu_steal: number;
  mem_total_kb: number; mem_used_kb: number; mem_free_kb: number; mem_available_kb: number; mem_buffers_kb: number; mem_cached_kb: number;
  ctxt_per_s: number; forks_per_s: number; procs_running: number; procs_blocked: number;
  qemu_cpu_pct: number | null; qemu_rss_kb: number | null;
  irq_json: string;
};

export class MonitorStore {
  private readonly insertPoint;
  private readonly insertProc;
  private readonly insertInfo;
  private readonly insertIrq;
  /** (session, run, pid, start) whose info row is written, with the comm it was written with. */
  private readonly infoWritten = new Map<string, string>();

  constructor(private readonly db: Db) {
    this.insertPoint = db.prepare(`INSERT INTO monitor_points (session_id, run, t, guest_us,
      cpu_user, cpu_nice, cpu_system, cpu_iowait, cpu_irq, cpu_softirq, cpu_idle, cpu_steal,
      mem_total_kb, mem_used_kb, mem_free_kb, mem_available_kb, mem_buffers_kb, mem_cached_kb,
      ctxt_per_s, forks_per_s, procs_running, procs_blocked, qemu_cpu_pct, qemu_rss_kb, irq_json)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertProc = db.prepare(`INSERT INTO monitor_procs (session_id, run, t, pid, start_ticks, ppid, state, cpu_pct, rss_kb, vsz_kb, threads)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertInfo = db.prepare(`INSERT OR REPLACE INTO monitor_proc_info (session_id, run, pid, start_ticks, uid, user, comm, cmdline, exe, kernel_thread)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertIrq = db.prepare(`INSERT OR REPLACE INTO monitor_irq_lines (session_id, run, irq, name) VALUES (?, ?, ?, ?)`);
  }

  /** One transaction with everything gathered since the last flush. */
  write(sessionId: string, run: number, batch: { points: { point: MonitorPoint; guestUs: number }[]; snapshots: PendingSnapshot[]; irqLines: IrqLine[] }): void {
    if (!batch.points.length && !batch.snapshots.length && !batch.irqLines.length) return;
    this.db.transaction(() => {
      for (const l of batch.irqLines) this.insertIrq.run(sessionId, run, l.id, l.name);
      for (const { point: p, guestUs } of batch.points) {
        const c = p.cpu;
        const m = p.mem;
        this.insertPoint.run(sessionId, run, p.t, Math.round(guestUs), c.user, c.nice, c.system, c.iowait, c.irq, c.softirq, c.idle, c.steal,
          m.totalKb, m.usedKb, m.freeKb, m.availableKb, m.buffersKb, m.cachedKb, p.ctxtPerS, p.forksPerS, p.procsRunning, p.procsBlocked,
          p.host?.qemuCpuPct ?? null, p.host?.qemuRssKb ?? null, JSON.stringify(p.irq));
      }
      for (const s of batch.snapshots) {
        for (const r of s.procs) {
          const key = `${sessionId}\0${run}\0${r.pid}\0${r.startTicks}`;
          if (this.infoWritten.get(key) !== r.comm + '\0' + r.cmdline) {
            this.insertInfo.run(sessionId, run, r.pid, r.startTicks, r.uid, r.user, r.comm, r.cmdline, r.exe, r.kernelThread ? 1 : 0);
            this.infoWritten.set(key, r.comm + '\0' + r.cmdline);
          }
          this.insertProc.run(sessionId, run, s.t, r.pid, r.startTicks, r.ppid, r.state, r.cpuPct, r.rssKb, r.vszKb, r.threads);
        }
      }
    })();
  }

  runs(sessionId: string): RunSummary[] {
    const points = this.db
      .prepare(`SELECT run, MIN(t) AS "from", MAX(t) AS "to", COUNT(*) AS samples FROM monitor_points WHERE session_id = ? GROUP BY run ORDER BY run`)
      .all(sessionId) as { run: number; from: number; to: number; samples: number }[];
    const snaps = new Map(
      (this.db.prepare(`SELECT run, COUNT(DISTINCT t) AS n FROM monitor_procs WHERE session_id = ? GROUP BY run`).all(sessionId) as { run: number; n: number }[]).map((r) => [r.run, r.n]),
    );
    return points.map((p) => ({ ...p, procSnapshots: snaps.get(p.run) ?? 0 }));
  }

  latestRun(sessionId: string): number | null {
    const r = this.db.prepare(`SELECT MAX(run) AS run FROM monitor_points WHERE session_id = ?`).get(sessionId) as { run: number | null };
    return r.run;
  }

  /** Points of a run in [from, to], evenly thinned to at most `maxPoints`. */
  points(sessionId: string, run: number, from = -Infinity, to = Infinity, maxPoints = 50_000): MonitorPoint[] {
    const lo = Number.isFinite(from) ? from : -1e18;
    const hi = Number.isFinite(to) ? to : 1e18;
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM monitor_points WHERE session_id = ? AND run = ? AND t BETWEEN ? AND ?`).get(sessionId, run, lo, hi) as { n: number };
    const every = Math.max(1, Math.ceil(n / maxPoints));
    const rows = this.db
      .prepare(
        `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY t) - 1 AS i FROM monitor_points WHERE session_id = ? AND run = ? AND t BETWEEN ? AND ?) WHERE i % ? = 0 ORDER BY t`,
      )
      .all(sessionId, run, lo, hi, every) as PointRow[];
    return rows.map(pointFromRow);
  }

  irqLines(sessionId: string, run: number): IrqLine[] {
    return (this.db.prepare(`SELECT irq AS id, name FROM monitor_irq_lines WHERE session_id = ? AND run = ? ORDER BY (irq GLOB '[0-9]*') DESC, CAST(irq AS INTEGER), irq`).all(sessionId, run) as IrqLine[]).map(
      (l) => ({ id: String(l.id), name: l.name }),
    );
  }

  procTimes(sessionId: string, run: number): number[] {
    return (this.db.prepare(`SELECT DISTINCT t FROM monitor_procs WHERE session_id = ? AND run = ? ORDER BY t`).all(sessionId, run) as { t: number }[]).map((r) => r.t);
  }

  /** The snapshot at or before `at` (default: the newest). */
  snapshot(sessionId: string, run: number, at?: number): ProcSnapshot | null {
    const r = this.db
      .prepare(`SELECT MAX(t) AS t FROM monitor_procs WHERE session_id = ? AND run = ? AND t <= ?`)
      .get(sessionId, run, at ?? 1e18) as { t: number | null };
    if (r.t === null) return null;
    const rows = this.db
      .prepare(
        `SELECT p.pid, p.ppid, p.state, p.cpu_pct, p.rss_kb, p.vsz_kb, p.threads, i.uid, i.user, i.comm, i.cmdline, i.exe, i.kernel_thread
         FROM monitor_procs p LEFT JOIN monitor_proc_info i
           ON i.session_id = p.session_id AND i.run = p.run AND i.pid = p.pid AND i.start_ticks = p.start_ticks
         WHERE p.session_id = ? AND p.run = ? AND p.t = ? ORDER BY p.pid`,
      )
      .all(sessionId, run, r.t) as {
      pid: number; ppid: number; state: string; cpu_pct: number; rss_kb: number; vsz_kb: number; threads: number;
      uid: number | null; user: string | null; comm: string | null; cmdline: string | null; exe: string | null; kernel_thread: number | null;
    }[];
    return {
      t: r.t,
      procs: rows.map((x) => ({
        pid: x.pid,
        ppid: x.ppid,
        user: x.user ?? '?',
        uid: x.uid ?? -1,
        state: x.state,
        cpuPct: x.cpu_pct,
        rssKb: x.rss_kb,
        vszKb: x.vsz_kb,
        threads: x.threads,
        comm: x.comm ?? '?',
        cmdline: x.cmdline ?? '',
        exe: x.exe ?? '',
        kernelThread: x.kernel_thread === 1,
      })),
    };
  }
}

function pointFromRow(r: PointRow): MonitorPoint {
  let irq: Record<string, number> = {};
  try {
    irq = JSON.parse(r.irq_json) as Record<string, number>;
  } catch {
    // A damaged row keeps its other values.
  }
  return {
    t: r.t,
    cpu: { user: r.cpu_user, nice: r.cpu_nice, system: r.cpu_system, iowait: r.cpu_iowait, irq: r.cpu_irq, softirq: r.cpu_softirq, idle: r.cpu_idle, steal: r.cpu_steal },
    mem: { totalKb: r.mem_total_kb, usedKb: r.mem_used_kb, freeKb: r.mem_free_kb, availableKb: r.mem_available_kb, buffersKb: r.mem_buffers_kb, cachedKb: r.mem_cached_kb },
    irq,
    ctxtPerS: r.ctxt_per_s,
    forksPerS: r.forks_per_s,
    procsRunning: r.procs_running,
    procsBlocked: r.procs_blocked,
    host: r.qemu_cpu_pct === null || r.qemu_rss_kb === null ? null : { qemuCpuPct: r.qemu_cpu_pct, qemuRssKb: r.qemu_rss_kb },
  };
}
