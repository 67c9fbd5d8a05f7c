/**
 * MonitorService: for every running session whose agent link is up, one sampler stream on the
 * agent (channel "monitor"), turned into chart points and process tables (./metrics.ts),
 * published on the bus (`monitor.samples`, `monitor.procs`, `monitor.state`) and written to
 * SQLite about once a second (./store.ts). It follows the bus: `agent.status` connected →
 * start; link reset → the stream is gone, it restarts when the link is back; session ended →
 * last flush.
 */
import type { IrqLine, MonitorPoint, MonitorState, ProcSnapshot } from '../../../src-shared/features/monitor';
import { BenchtopError } from '../../../src-shared/errors';
import type { AgentService } from '../agent/service';
import type { EventBus } from '../events';
import type { SessionService } from '../sessions/service';
import type { GuestSample, GuestSampler } from './guest-sample';
import { HostProcessSampler } from './host-proc';
import { GuestClock, parsePasswd, procRows, systemPoint, type ProcScan } from './metrics';
import { MonitorStore, type PendingSnapshot, type StoredProc } from './store';
import { hostNowMs } from '../util/clock';

export const DEFAULT_RATE_HZ = 10;
export const DEFAULT_PROC_RATE_HZ = 1;
const FLUSH_MS = 1000;

/** Opens the agent's sampler stream (./guest-sampler.ts); injected so the service is testable without a guest. */
export type OpenSampler = (
  channel: ReturnType<AgentService['channel']>,
  o: { intervalMs: number; procEvery: number; onSample(s: GuestSample): void; onError?(e: Error): void },
) => Promise<GuestSampler>;

interface Live {
  sessionId: string;
  run: number;
  rateHz: number;
  procRateHz: number;
  sampler: GuestSampler | null;
  starting: boolean;
  reason: string | null;
  samples: number;
  clkTck: number;
  clock: GuestClock;
  host: HostProcessSampler | null;
  users: Map<number, string>;
  prev: GuestSample | null;
  prevScan: ProcScan | null;
  irqLines: Map<string, string>;
  latest: ProcSnapshot | null;
  pending: { points: { point: MonitorPoint; guestUs: number }[]; snapshots: PendingSnapshot[]; irqLines: IrqLine[] };
  flushTimer: ReturnType<typeof setInterval>;
}

export function intervalFor(rateHz: number, procRateHz: number): { intervalMs: number; procEvery: number } {
  const intervalMs = Math.round(1000 / rateHz);
  return { intervalMs, procEvery: Math.max(1, Math.round(rateHz / Math.min(procRateHz, rateHz))) };
}

export class MonitorService {
  private readonly live = new Map<string, Live>();
  private readonly offs: (() => void)[] = [];
  readonly store: MonitorStore;

  constructor(
    private readonly deps: {
      bus: EventBus;
      sessions: SessionService;
      agents: AgentService;
      store: MonitorStore;
      openSampler: OpenSampler;
      /** Host clock in ms since the epoch, sub-millisecond (injectable for tests). */
      now?: () => number;
    },
  ) {
    this.store = deps.store;
    this.offs.push(
      deps.bus.on('agent.status', (s) => {
        if (s.state === 'connected') void this.begin(s.sessionId);
      }),
      deps.bus.on('session.changed', (s) => {
        if (s.state === 'stopping' || s.state === 'stopped' || s.state === 'crashed' || s.state === 'created') this.end(s.id, `session ${s.state}`);
      }),
      deps.bus.on('session.removed', ({ id }) => this.end(id, 'session removed')),
    );
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : hostNowMs();
  }

  state(id: string): MonitorState {
    const l = this.live.get(id);
    if (l) return this.toState(l);
    const s = this.deps.sessions.get(id);
    const run = this.store.latestRun(id) ?? s.runs;
    return {
      sessionId: id,
      run,
      active: false,
      rateHz: DEFAULT_RATE_HZ,
      procRateHz: DEFAULT_PROC_RATE_HZ,
      samples: 0,
      irqLines: this.store.irqLines(id, run),
      reason:
        s.state !== 'running' && s.state !== 'paused'
          ? `session ${s.state}`
          : s.determinism.mode !== 'off'
            ? 'no agent in deterministic mode'
            : 'waiting for the target agent',
    };
  }

  async configure(id: string, rateHz: number, procRateHz?: number): Promise<MonitorState> {
    const l = this.live.get(id);
    if (!l) throw new BenchtopError('invalid-state', `session ${id} is not being sampled (${this.state(id).reason ?? 'not running'})`);
    l.rateHz = rateHz;
    l.procRateHz = Math.min(procRateHz ?? l.procRateHz, rateHz);
    if (l.sampler) {
      const { intervalMs, procEvery } = intervalFor(l.rateHz, l.procRateHz);
      await l.sampler.configure(intervalMs, procEvery);
    }
    this.publishState(l);
    return this.toState(l);
  }

  /**
   * Host time (ms) of a guest CLOCK_MONOTONIC instant (µs), by the mapping the session's sample
   * stream maintains; null when the session is not being sampled.
   */
  guestToHostMs(id: string, monoUs: number): number | null {
    return this.live.get(id)?.clock.map(monoUs) ?? null;
  }

  /** Latest process table of a live session (null before the first scan). */
  latestProcs(id: string): ProcSnapshot | null {
    return this.live.get(id)?.latest ?? null;
  }

  /** Write what is pending now (tests, shutdown, reads that must see everything). */
  flush(id?: string): void {
    for (const l of this.live.values()) if (!id || l.sessionId === id) this.flushLive(l);
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    for (const id of [...this.live.keys()]) this.end(id, 'closing');
  }

  private async begin(id: string): Promise<void> {
    let l = this.live.get(id);
    if (l?.sampler || l?.starting) return;
    let summary;
    try {
      summary = this.deps.sessions.get(id);
    } catch {
      return;
    }
    if (!l) {
      const qemuPid = safe(() => this.deps.sessions.qemu(id).pid);
      l = {
        sessionId: id,
        run: summary.runs,
        rateHz: DEFAULT_RATE_HZ,
        procRateHz: DEFAULT_PROC_RATE_HZ,
        sampler: null,
        starting: false,
        reason: 'starting the sampler',
        samples: 0,
        clkTck: 100,
        clock: new GuestClock(),
        host: qemuPid ? new HostProcessSampler(qemuPid) : null,
        users: new Map(),
        prev: null,
        prevScan: null,
        irqLines: new Map(),
        latest: null,
        pending: { points: [], snapshots: [], irqLines: [] },
        flushTimer: setInterval(() => this.flushLive(this.live.get(id)), FLUSH_MS),
      };
      l.flushTimer.unref?.();
      this.live.set(id, l);
    }
    const live = l;
    live.starting = true;
    try {
      const channel = this.deps.agents.channel(id, 'monitor');
      try {
        live.users = parsePasswd((await channel.get('/etc/passwd', { timeoutMs: 5000 })).toString('utf8'));
      } catch {
        live.users = new Map([[0, 'root']]); // a guest without /etc/passwd still has root
      }
      const { intervalMs, procEvery } = intervalFor(live.rateHz, live.procRateHz);
      // A new stream starts from a full state: forget the previous stream's baselines.
      live.prev = null;
      live.prevScan = null;
      const sentAt = this.now();
      const sampler = await this.deps.openSampler(channel, {
        intervalMs,
        procEvery,
        onSample: (s) => this.onSample(live, s),
        onError: (e) => {
          live.reason = `sampler: ${e.message}`;
        },
      });
      if (this.live.get(id) !== live) {
        await sampler.stop().catch(() => undefined);
        return;
      }
      live.clock.seed(sampler.info.monoUs, sentAt, this.now());
      live.clkTck = sampler.info.clkTck || 100;
      live.sampler = sampler;
      live.reason = null;
      void sampler.ended.then(({ reason }) => {
        if (live.sampler !== sampler) return;
        live.sampler = null;
        live.reason = `sampler stream ended: ${reason}`;
        this.flushLive(live);
        this.publishState(live);
      });
    } catch (e) {
      live.reason = `cannot start sampling: ${(e as Error).message}`;
    } finally {
      live.starting = false;
    }
    this.publishState(live);
  }

  private onSample(l: Live, s: GuestSample): void {
    const arrivedAt = this.now();
    const t = l.clock.toHost(s.monoUs, arrivedAt);
    l.samples++;
    const newLines: IrqLine[] = [];
    for (const [irq, name] of s.irqNames) {
      if (l.irqLines.get(irq) !== name) {
        l.irqLines.set(irq, name);
        newLines.push({ id: irq, name });
      }
    }
    if (newLines.length) {
      l.pending.irqLines.push(...newLines);
      this.publishState(l);
    }
    if (l.prev) {
      const point = systemPoint(l.prev, s, t, l.host?.sample() ?? null);
      l.pending.points.push({ point, guestUs: s.monoUs });
      this.deps.bus.emit('monitor.samples', { sessionId: l.sessionId, run: l.run, points: [point] });
    }
    l.prev = s;
    if (s.procs) {
      const scan: ProcScan = { monoUs: s.monoUs, procs: s.procs };
      const rows = procRows(l.prevScan, scan, l.clkTck, (uid) => l.users.get(uid) ?? String(uid));
      l.prevScan = scan;
      const stored: StoredProc[] = rows.map((r) => ({ ...r, startTicks: s.procs!.get(r.pid)?.startTicks ?? 0 }));
      l.pending.snapshots.push({ t, procs: stored });
      l.latest = { t, procs: rows };
      this.deps.bus.emit('monitor.procs', { sessionId: l.sessionId, run: l.run, t, procs: rows });
    }
  }

  private flushLive(l: Live | undefined): void {
    if (!l) return;
    const batch = l.pending;
    l.pending = { points: [], snapshots: [], irqLines: [] };
    try {
      this.store.write(l.sessionId, l.run, batch);
    } catch (e) {
      // The session may have been deleted meanwhile (foreign key); nothing else to keep.
      l.reason = `cannot save samples: ${(e as Error).message}`;
    }
  }

  private end(id: string, why: string): void {
    const l = this.live.get(id);
    if (!l) return;
    this.live.delete(id);
    clearInterval(l.flushTimer);
    const sampler = l.sampler;
    l.sampler = null;
    l.reason = why;
    void sampler?.stop().catch(() => undefined);
    this.flushLive(l);
    this.publishState(l);
  }

  private toState(l: Live): MonitorState {
    return {
      sessionId: l.sessionId,
      run: l.run,
      active: l.sampler !== null,
      rateHz: l.rateHz,
      procRateHz: l.procRateHz,
      samples: l.samples,
      irqLines: [...l.irqLines].map(([id, name]) => ({ id, name })).sort((a, b) => compareIrq(a.id, b.id)),
      reason: l.sampler ? null : l.reason,
    };
  }

  private publishState(l: Live): void {
    this.deps.bus.emit('monitor.state', this.toState(l));
  }
}

function compareIrq(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  if (Number.isFinite(na)) return -1;
  if (Number.isFinite(nb)) return 1;
  return a.localeCompare(b);
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
