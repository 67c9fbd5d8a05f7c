/**
 * One session's monitor as the pane sees it: the sample columns (outside React, fed straight
 * from `monitor.samples`), and a small zustand store for what the controls show (state, runs,
 * the process table, loading and errors), which changes at the process rate or slower.
 *
 * Live: the latest run's stored samples first (`monitor.series`), then the events; events that
 * arrive while that backlog is loading are parked and appended after it, the overlap dropped by
 * time. Recorded: the chosen run's samples only. Either way the table shows the newest snapshot
 * unless pinned to a time (the scrubber, or a click on a chart), which loads `monitor.procs {at}`.
 */
import { createStore, type StoreApi } from 'zustand';
import type { IrqLine, MonitorPoint, MonitorState, ProcSnapshot } from '../../../../src-shared/features/monitor';
import { describeError, reportError } from '../status/errorsStore';
import { knownIrqIds } from './irqLines';
import type { GuestSignal, MonitorApi, MonitorEventPayload, RunInfo } from './monitorApi';
import { DEFAULT_CAPACITY, SampleBuffer } from './sampleBuffer';

/** Points asked for when a live pane opens: the newest ~30 min at 10 Hz, thinned evenly if more. */
export const BACKLOG_POINTS = 18_000;

export const RATES_HZ = [1, 2, 5, 10, 20, 50] as const;

export interface MonitorView {
  /** Following the session's current run (events applied), or showing a recorded run. */
  live: boolean;
  /** Run shown; null until known. */
  run: number | null;
  runs: RunInfo[];
  state: MonitorState | null;
  /** Why `monitor.state` failed (e.g. a core without the monitor), null when it answered. */
  stateError: string | null;
  loading: boolean;
  seriesError: string | null;
  irqLines: IrqLine[];
  /** IRQ ids seen in samples or declared by the run, in /proc order. */
  irqIds: string[];
  /** Times of the run's process-table snapshots (host ms), oldest first. */
  procTimes: number[];
  table: ProcSnapshot | null;
  /** The table is pinned to this time (host ms); null: it follows the newest snapshot. */
  pinnedAt: number | null;
  tableError: string | null;
}

const INITIAL: MonitorView = {
  live: true,
  run: null,
  runs: [],
  state: null,
  stateError: null,
  loading: false,
  seriesError: null,
  irqLines: [],
  irqIds: [],
  procTimes: [],
  table: null,
  pinnedAt: null,
  tableError: null,
};

const SIGNAL_VERB: Record<GuestSignal, string> = { SIGSTOP: 'Suspend', SIGCONT: 'Resume', SIGKILL: 'Kill' };

export class MonitorSession {
  readonly store: StoreApi<MonitorView>;
  buffer: SampleBuffer;
  /** Samples appended since the last `monitor.state` (the state line adds them to its count). */
  appendedSinceState = 0;
  private readonly dataListeners = new Set<() => void>();
  private unsubs: (() => void)[] = [];
  /** Bumped by every (re)load and run switch: answers for an older one are dropped. */
  private loadGen = 0;
  private tableGen = 0;
  /** Live samples that came while the backlog was loading. */
  private parked: MonitorPoint[] | null = null;
  /** The user picked a run (recorded) rather than following the session. */
  private pickedRun: number | null = null;
  private sessionLive: boolean;

  constructor(
    private readonly api: MonitorApi,
    readonly sessionId: string,
    opts: { sessionLive: boolean; capacity?: number },
  ) {
    this.sessionLive = opts.sessionLive;
    this.buffer = new SampleBuffer(opts.capacity ?? DEFAULT_CAPACITY);
    this.store = createStore<MonitorView>(() => ({ ...INITIAL, live: opts.sessionLive }));
  }

  get view(): MonitorView {
    return this.store.getState();
  }

  private patch(p: Partial<MonitorView>): void {
    this.store.setState(p);
  }

  /** Called whenever the sample columns change (append, reload). */
  onData(listener: () => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  private emitData(): void {
    for (const l of this.dataListeners) l();
  }

  open(): void {
    const { api } = this;
    this.unsubs.push(
      api.on('monitor.samples', (p) => this.onSamples(p)),
      api.on('monitor.procs', (p) => this.onProcs(p)),
      api.on('monitor.state', (s) => this.onState(s)),
    );
    void this.load();
  }

  close(): void {
    for (const u of this.unsubs.splice(0)) u();
    this.loadGen++;
    this.tableGen++;
  }

  /** The session started, stopped or was paused (from its summary). */
  setSessionLive(live: boolean): void {
    if (live === this.sessionLive) return;
    this.sessionLive = live;
    const wasLive = this.view.live;
    const nowLive = live && this.pickedRun === null;
    if (wasLive && !nowLive) {
      // What was followed stays on screen as a recording; its runs list gains its end.
      this.patch({ live: false });
      void this.refreshRuns();
    } else if (!wasLive && nowLive) void this.load();
  }

  /** Show a recorded run, or follow the session again (`null`). */
  selectRun(run: number | null): void {
    this.pickedRun = run;
    void this.load();
  }

  /** (Re)load everything the pane shows for the current choice of run. */
  async load(): Promise<void> {
    const gen = ++this.loadGen;
    const live = this.sessionLive && this.pickedRun === null;
    this.patch({ live, loading: true, seriesError: null, pinnedAt: null, tableError: null });
    this.parked = live ? [] : null;

    let run: number | null = this.pickedRun;
    if (live) {
      try {
        const state = await this.api.state({ id: this.sessionId });
        if (gen !== this.loadGen) return;
        this.appendedSinceState = 0;
        this.patch({ state, stateError: null, irqLines: state.irqLines });
        run = state.run;
      } catch (err) {
        if (gen !== this.loadGen) return;
        this.patch({ state: null, stateError: describeError(err).message });
      }
    }
    const runs = await this.refreshRuns();
    if (gen !== this.loadGen) return;
    if (run === null) run = runs.at(-1)?.run ?? null;
    if (run === null || !runs.some((r) => r.run === run)) {
      // Nothing recorded (yet): an empty chart and, when live, whatever the events bring.
      this.resetColumns(null);
      this.flushParked();
      this.patch({ run: live ? run : null, loading: false, procTimes: [], table: null });
      this.updateIrqIds();
      if (live) void this.loadTable(null);
      return;
    }
    try {
      const series = await this.api.series({ id: this.sessionId, run: run || undefined, maxPoints: live ? BACKLOG_POINTS : this.buffer.capacity });
      if (gen !== this.loadGen) return;
      this.resetColumns(Math.max(this.buffer.capacity, series.points.length));
      this.buffer.append(series.points);
      this.patch({ run: series.run, irqLines: series.irqLines.length ? series.irqLines : this.view.irqLines, procTimes: series.procTimes });
      this.updateIrqIds();
      this.flushParked();
    } catch (err) {
      if (gen !== this.loadGen) return;
      this.resetColumns(null);
      this.flushParked();
      this.patch({ run, seriesError: describeError(err).message });
    }
    this.patch({ loading: false });
    void this.loadTable(null);
  }

  private resetColumns(capacity: number | null): void {
    if (capacity !== null && capacity !== this.buffer.capacity) this.buffer = new SampleBuffer(capacity);
    else this.buffer.clear();
    this.patch({ irqIds: [] });
    this.emitData();
  }

  private flushParked(): void {
    const parked = this.parked;
    this.parked = null;
    if (parked?.length) this.appendPoints(parked);
  }

  private appendPoints(points: readonly MonitorPoint[]): void {
    const idsBefore = this.buffer.irqIds().length;
    const kept = this.buffer.append(points);
    if (!kept) return;
    this.appendedSinceState += kept;
    if (this.buffer.irqIds().length !== idsBefore) this.updateIrqIds();
    this.emitData();
  }

  private updateIrqIds(): void {
    this.patch({ irqIds: knownIrqIds(this.view.irqLines, this.buffer.irqIds()) });
  }

  private async refreshRuns(): Promise<RunInfo[]> {
    try {
      const runs = await this.api.runs({ id: this.sessionId });
      this.patch({ runs });
      return runs;
    } catch {
      // No runs list (an older core, or the session went away): the picker stays as it was.
      return this.view.runs;
    }
  }

  /** A newer run started while following: begin again with empty columns. */
  private startRun(run: number): void {
    this.loadGen++;
    this.parked = null;
    this.resetColumns(null);
    this.patch({ run, procTimes: [], table: null, pinnedAt: null, seriesError: null, loading: false });
    void this.refreshRuns();
  }

  private followsRun(sessionId: string, run: number): boolean {
    if (sessionId !== this.sessionId || !this.view.live) return false;
    const shown = this.view.run;
    if (shown === null || run > shown) {
      if (this.parked && shown === null) return true; // the first run's backlog is on its way
      this.startRun(run);
      return true;
    }
    return run === shown;
  }

  private onSamples(p: MonitorEventPayload<'monitor.samples'>): void {
    if (!this.followsRun(p.sessionId, p.run)) return;
    if (this.parked) this.parked.push(...p.points);
    else this.appendPoints(p.points);
  }

  private onProcs(p: MonitorEventPayload<'monitor.procs'>): void {
    if (!this.followsRun(p.sessionId, p.run)) return;
    const { procTimes, pinnedAt } = this.view;
    const times = procTimes.length && procTimes[procTimes.length - 1]! >= p.t ? procTimes : [...procTimes, p.t];
    this.patch(pinnedAt === null ? { procTimes: times, table: { t: p.t, procs: p.procs }, tableError: null } : { procTimes: times });
  }

  private onState(s: MonitorState): void {
    if (s.sessionId !== this.sessionId) return;
    this.appendedSinceState = 0;
    this.patch({ state: s, stateError: null, irqLines: s.irqLines.length ? s.irqLines : this.view.irqLines });
    if (this.view.live && this.view.run !== null && s.run > this.view.run) this.startRun(s.run);
    if (s.irqLines.length) this.updateIrqIds();
  }

  /** Samples of the current run as the state line counts them. */
  samplesCount(): number {
    const { live, state, run, runs } = this.view;
    if (live && state && state.run === run) return state.samples + this.appendedSinceState;
    return runs.find((r) => r.run === run)?.samples ?? this.buffer.size;
  }

  /** Pin the table to the snapshot at or before `at` (host ms), or follow the newest (`null`). */
  async loadTable(at: number | null): Promise<void> {
    const gen = ++this.tableGen;
    const { live, run, procTimes } = this.view;
    this.patch({ pinnedAt: at, tableError: null });
    // Recorded runs have no "newest" that moves: their last snapshot is where the table rests.
    const when = at ?? (live ? undefined : procTimes.at(-1));
    try {
      const snap = await this.api.procs({ id: this.sessionId, run: run || undefined, at: when });
      if (gen !== this.tableGen) return;
      // A live event newer than this answer may already be shown: keep the newer one.
      const current = this.view.table;
      if (at === null && live && current && snap && current.t > snap.t) return;
      this.patch({ table: snap ? { t: snap.t, procs: snap.procs } : null });
    } catch (err) {
      if (gen !== this.tableGen) return;
      this.patch({ tableError: describeError(err).message });
    }
  }

  /** Change the sampling rate of the running session. */
  async configure(rateHz: number): Promise<void> {
    try {
      const state = await this.api.configure({ id: this.sessionId, rateHz });
      this.appendedSinceState = 0;
      this.patch({ state, stateError: null });
    } catch (err) {
      reportError(`Set the sampling rate to ${rateHz} Hz`, err);
    }
  }

  /** Suspend / resume / kill a guest process; failures go to the error toasts. */
  async signal(pid: number, signal: GuestSignal): Promise<boolean> {
    try {
      await this.api.signal({ id: this.sessionId, pid, signal });
      return true;
    } catch (err) {
      reportError(`${SIGNAL_VERB[signal]} process ${pid}`, err);
      return false;
    }
  }
}
