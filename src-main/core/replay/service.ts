/**
 * ReplayService: the event manager's core (seed 000 §3.2).
 *  - Recorder: while a session records, every key injected into it (the input service's hook),
 *    every console write (`consoleInput`) and every guest marker (`agent.event` kind marker)
 *    becomes an event, timed in µs from Record. Stop turns the capture into revision 1.
 *  - Recordings: revisions in SQLite (./store.ts), import/export as files.
 *  - Replays: a recording into any running session, N times back to back, each with a report
 *    (./replayer.ts does the timing), stored and published as `replay.changed`.
 */
import { RECORDING_FORMAT, RECORDING_VERSION, parseRecording, type InputDevice, type RecordedEvent, type RecordingDoc } from '../../../src-shared/features/recording';
import type { RecorderStatus, RecordingSummary, ReplayEventResult, ReplayInfo, ReplayReport } from '../../../src-shared/features/replay';
import { BenchtopError } from '../../../src-shared/errors';
import type { EventBus } from '../events';
import type { SessionService } from '../sessions/service';
import { parseInputEvent } from '../agent/input-event';
import { LINUX_KEY_CODES } from '../input/keys';
import { inProcessTarget, percentileOf, type ReplayTarget } from './replayer';
import { newReplayId, type ReplayStore } from './store';
import { assertTakesInput } from '../determinism/takes-input';
import { readHostCpu, stealPct } from '../util/host-cpu';
import { hostNowMs } from '../util/clock';

/** What the replay service needs of the input path (src-main/core/input). */
export interface KeyInput {
  injectKey(sessionId: string, key: string, down: boolean): Promise<{ latencyUs: number }>;
  onInjected(listener: (e: { sessionId: string; key: string; down: boolean; atMs: number }) => void): () => void;
}

/**
 * The guest's own view of the keys (the agent's INPUT_WATCH: evdev events with the guest
 * kernel's CLOCK_MONOTONIC stamps, as `agent.event` kind `input` on the bus).
 */
export interface GuestInputSource {
  /** Start watching the session's input devices; resolves to the function that stops it. */
  watch(sessionId: string): Promise<() => Promise<void>>;
  /** Guest CLOCK_MONOTONIC µs → host ms (the monitor's mapping); null when unknown. */
  toHostMs(sessionId: string, monoUs: number): number | null;
}

interface GuestKey {
  code: number;
  value: 0 | 1;
  tUs: number;
}

/**
 * Give each injected key the guest kernel's timestamp of the matching evdev event: in order,
 * same Linux code and press/release, skipping guest events nobody injected (a key the user
 * pressed meanwhile) and leaving null a key the guest never saw (a dropped keypad event).
 * Guest times go to the replay's clock through the monitor's guest→host mapping; without one,
 * the first matched key is aligned with its injection time (intervals stay exact either way).
 */
export function matchGuestKeys(
  events: { result: ReplayEventResult; key: string | null; down: boolean }[],
  guest: GuestKey[],
  toReplayUs: ((tUs: number) => number | null) | null,
): void {
  let j = 0;
  let align: number | null = null;
  for (const e of events) {
    if (e.key === null || e.result.injectedUs === null) continue;
    const code = LINUX_KEY_CODES[e.key];
    const want = e.down ? 1 : 0;
    let k = j;
    while (k < guest.length && !(guest[k]!.value === want && (code === undefined || guest[k]!.code === code))) k++;
    if (k >= guest.length || k - j > 16) continue; // not seen: do not let one loss shift every later match
    const g = guest[k]!;
    j = k + 1;
    const mapped = toReplayUs?.(g.tUs) ?? null;
    if (mapped !== null) e.result.guestUs = mapped;
    else {
      align ??= e.result.injectedUs - g.tUs;
      e.result.guestUs = g.tUs + align;
    }
  }
}

interface Capture {
  sessionId: string;
  name: string;
  startedAt: number;
  events: RecordedEvent[];
  board: string;
  inputDevice: InputDevice;
}

interface Batch {
  infos: ReplayInfo[];
  abort: AbortController;
}

const MAX_EVENTS = 200_000;

export class ReplayService {
  private readonly captures = new Map<string, Capture>();
  /** Sessions a replay is typing into: their keys are not the user's, so they are not recorded. */
  private readonly replaying = new Set<string>();
  private readonly batches = new Map<string, Batch>();
  private readonly offs: (() => void)[] = [];
  private nextEventId = 1;

  readonly store: ReplayStore;

  constructor(
    private readonly deps: {
      bus: EventBus;
      sessions: SessionService;
      store: ReplayStore;
      input: KeyInput;
      guest?: GuestInputSource;
      /**
       * Where a batch of replays into a session runs. The core gives the injector worker (its own
       * thread and QMP connection, ./injector-host.ts); without one, this thread through `input`.
       */
      openTarget?: (sessionId: string) => Promise<ReplayTarget>;
      now?: () => number;
    },
  ) {
    this.store = deps.store;
    this.offs.push(
      deps.sessions.onConsoleInput((id, data) => this.consoleInput(id, data)),
      deps.input.onInjected((e) => {
        if (!this.replaying.has(e.sessionId)) this.capture(e.sessionId, e.atMs, (id, t) => ({ id, t, kind: 'key', key: e.key, down: e.down }));
      }),
      deps.bus.on('agent.event', (e) => {
        if (e.kind === 'marker') this.capture(e.sessionId, e.at, (id, t) => ({ id, t, kind: 'marker', text: e.text }));
      }),
      deps.bus.on('session.changed', (s) => {
        // A session that stops ends its capture: keep what was typed as a recording.
        if (this.captures.has(s.id) && (s.state === 'stopped' || s.state === 'crashed')) {
          try {
            this.stopRecording(s.id);
          } catch {
            /* an empty capture is dropped */
          }
        }
      }),
    );
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : hostNowMs();
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    for (const b of this.batches.values()) b.abort.abort();
  }

  /** Text written into a session's serial console (SessionService.onConsoleInput). */
  consoleInput(sessionId: string, data: string): void {
    if (this.replaying.has(sessionId) || !data) return;
    // Long pastes are split so every event stays within the format's 4096 characters.
    for (let i = 0; i < data.length; i += 4096) {
      const part = data.slice(i, i + 4096);
      this.capture(sessionId, this.now(), (id, t) => ({ id, t, kind: 'console', data: part }));
    }
  }

  private capture(sessionId: string, atMs: number, make: (id: string, tUs: number) => RecordedEvent): void {
    const c = this.captures.get(sessionId);
    if (!c || c.events.length >= MAX_EVENTS) return;
    // Events arrive in order per source but the sources interleave: keep the list sorted.
    const t = Math.max(0, Math.round((atMs - c.startedAt) * 1000));
    const e = make(`e${this.nextEventId++}`, t);
    let i = c.events.length;
    while (i > 0 && c.events[i - 1]!.t > t) i--;
    c.events.splice(i, 0, e);
    if (c.events.length % 10 === 1) this.publishStatus(sessionId);
  }

  status(sessionId: string): RecorderStatus {
    this.deps.sessions.get(sessionId);
    const c = this.captures.get(sessionId);
    return { sessionId, recording: !!c, startedAt: c ? c.startedAt : null, events: c?.events.length ?? 0 };
  }

  private publishStatus(sessionId: string): void {
    this.deps.bus.emit('recorder.status', this.status(sessionId));
  }

  startRecording(sessionId: string, name?: string): RecorderStatus {
    const s = this.deps.sessions.get(sessionId);
    if (s.state !== 'running' && s.state !== 'paused') throw new BenchtopError('invalid-state', `session ${s.name} is ${s.state}: start it to record what you type into it`);
    if (this.captures.has(sessionId)) throw new BenchtopError('invalid-state', `session ${s.name} is already recording`);
    assertTakesInput(s);
    const startedAt = this.now();
    const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ');
    this.captures.set(sessionId, {
      sessionId,
      name: name ?? `${s.name} ${stamp}`,
      startedAt,
      events: [],
      board: s.board,
      inputDevice: (s as { inputDevice?: InputDevice }).inputDevice ?? 'keypad',
    });
    this.publishStatus(sessionId);
    return this.status(sessionId);
  }

  stopRecording(sessionId: string): RecordingSummary {
    const c = this.captures.get(sessionId);
    if (!c) throw new BenchtopError('invalid-state', `session ${sessionId} is not recording`);
    this.captures.delete(sessionId);
    this.publishStatus(sessionId);
    const doc: RecordingDoc = {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      name: c.name,
      createdAt: new Date(c.startedAt).toISOString(),
      source: { sessionId, board: c.board, inputDevice: c.inputDevice },
      speed: 1,
      events: c.events,
    };
    const summary = this.deps.store.create(doc);
    this.deps.bus.emit('recordings.changed', summary);
    return summary;
  }

  importText(text: string): RecordingSummary {
    const r = parseRecording(text);
    if (!r.ok) throw new BenchtopError('bad-request', `cannot import the recording: ${r.error}`);
    const summary = this.deps.store.create(r.doc);
    this.deps.bus.emit('recordings.changed', summary);
    return summary;
  }

  exportText(recordingId: string, rev?: number): { fileName: string; text: string } {
    const { doc, rev: which } = this.deps.store.get(recordingId, rev);
    const base = doc.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'recording';
    return { fileName: `${base}.r${which}.btrec.json`, text: JSON.stringify(doc, null, 2) + '\n' };
  }

  save(recordingId: string, baseRev: number, doc: RecordingDoc): RecordingSummary {
    const summary = this.deps.store.saveRevision(recordingId, baseRev, doc);
    this.deps.bus.emit('recordings.changed', summary);
    return summary;
  }

  rename(recordingId: string, name: string): RecordingSummary {
    const summary = this.deps.store.rename(recordingId, name);
    this.deps.bus.emit('recordings.changed', summary);
    return summary;
  }

  delete(recordingId: string): void {
    if ([...this.batches.values()].some((b) => b.infos.some((i) => i.recordingId === recordingId))) {
      throw new BenchtopError('invalid-state', `recording ${recordingId} is being replayed: cancel the replay first`);
    }
    this.deps.store.delete(recordingId);
    this.deps.bus.emit('recordings.removed', { recordingId });
  }

  /** Queue `repeat` replays of a recording into a running session; they run back to back. */
  startReplay(o: { recordingId: string; rev?: number; sessionId: string; repeat: number; speed?: number }): ReplayInfo[] {
    const s = this.deps.sessions.get(o.sessionId);
    if (s.state !== 'running') throw new BenchtopError('invalid-state', `session ${s.name} is ${s.state}: a replay needs a running session`);
    assertTakesInput(s);
    if (this.replaying.has(o.sessionId)) throw new BenchtopError('invalid-state', `session ${s.name} is already being replayed into; cancel that replay first`);
    const { doc, rev } = this.deps.store.get(o.recordingId, o.rev);
    const speed = o.speed ?? doc.speed;
    const total = doc.events.filter((e) => e.kind !== 'marker').length;
    const infos: ReplayInfo[] = Array.from({ length: o.repeat }, (_, i) => ({
      replayId: newReplayId(),
      recordingId: o.recordingId,
      rev,
      sessionId: o.sessionId,
      iteration: i + 1,
      of: o.repeat,
      speed,
      state: 'scheduled' as const,
      startedAt: null,
      endedAt: null,
      injected: 0,
      total,
      error: null,
    }));
    const batch: Batch = { infos, abort: new AbortController() };
    for (const info of infos) {
      this.batches.set(info.replayId, batch);
      this.deps.store.saveReplay(info, null);
      this.deps.bus.emit('replay.changed', info);
    }
    this.replaying.add(o.sessionId);
    const answer = infos.map((i) => ({ ...i }));
    void this.runBatch(batch, doc).finally(() => {
      this.replaying.delete(o.sessionId);
      for (const info of infos) this.batches.delete(info.replayId);
    });
    return answer;
  }

  private openTarget(sessionId: string): Promise<ReplayTarget> {
    if (this.deps.openTarget) return this.deps.openTarget(sessionId);
    return Promise.resolve(
      inProcessTarget(
        { key: (key, down) => this.deps.input.injectKey(sessionId, key, down), console: (data) => this.deps.sessions.writeConsole(sessionId, data) },
        () => this.now(),
      ),
    );
  }

  private async runBatch(batch: Batch, doc: RecordingDoc): Promise<void> {
    let target: ReplayTarget;
    try {
      target = await this.openTarget(batch.infos[0]!.sessionId);
    } catch (e) {
      for (const info of batch.infos) {
        info.error = (e as Error).message;
        this.finish(info, 'failed', null, null);
      }
      return;
    }
    try {
      await this.runEach(batch, doc, target);
    } finally {
      target.close();
    }
  }

  private async runEach(batch: Batch, doc: RecordingDoc, target: ReplayTarget): Promise<void> {
    for (const info of batch.infos) {
      if (batch.abort.signal.aborted) {
        this.finish(info, 'cancelled', null, null);
        continue;
      }
      const markers: { atMs: number; text: string }[] = [];
      const guestKeys: GuestKey[] = [];
      const off = this.deps.bus.on('agent.event', (e) => {
        if (e.sessionId !== info.sessionId) return;
        if (e.kind === 'marker') markers.push({ atMs: e.at, text: e.text });
        else if (e.kind === 'input') {
          const ev = parseInputEvent(e.text);
          if (ev && ev.value !== 2) guestKeys.push({ code: ev.code, value: ev.value, tUs: ev.tUs });
        }
      });
      // The guest's view of the keys, when the session has an agent (a replay without one still runs).
      const stopWatch = this.deps.guest && doc.events.some((e) => e.kind === 'key') ? await this.deps.guest.watch(info.sessionId).catch(() => null) : null;
      let watchStopped = false;
      const offState = this.deps.bus.on('session.changed', (s) => {
        if (s.id === info.sessionId && s.state !== 'running' && s.state !== 'paused') {
          info.error = `session ${s.state} during the replay`;
          batch.abort.abort();
        }
      });
      let lastPublish = 0;
      const cpuBefore = readHostCpu();
      try {
        info.state = 'running';
        const run = await target.run({
          doc,
          speed: info.speed,
          signal: batch.abort.signal,
          onStart: (t0) => {
            info.startedAt = t0;
            this.deps.bus.emit('replay.changed', { ...info });
          },
          onInjected: (done) => {
            info.injected = done;
            const t = this.now();
            if (t - lastPublish > 100) {
              lastPublish = t;
              this.deps.bus.emit('replay.changed', { ...info });
            }
          },
        });
        if (stopWatch) {
          // The last evdev events cross the agent link after their injection: wait for them, briefly.
          const keys = run.results.filter((r) => r.kind === 'key' && r.injectedUs !== null).length;
          const until = this.now() + 1500;
          while (guestKeys.length < keys && this.now() < until) await new Promise((r) => setTimeout(r, 20));
          await stopWatch().catch(() => undefined);
          watchStopped = true;
          const byId = new Map(doc.events.map((e) => [e.id, e]));
          matchGuestKeys(
            run.results.map((result) => {
              const e = byId.get(result.eventId);
              return { result, key: e?.kind === 'key' ? e.key : null, down: e?.kind === 'key' ? e.down : false };
            }),
            guestKeys,
            this.deps.guest ? (tUs) => {
              const ms = this.deps.guest!.toHostMs(info.sessionId, tUs);
              return ms === null ? null : (ms - run.t0) * 1000;
            } : null,
          );
        }
        const state = batch.abort.signal.aborted ? (info.error ? 'failed' : 'cancelled') : 'done';
        const steal = stealPct(cpuBefore, readHostCpu());
        this.finish(info, state, run.results, {
          hostStealPct: steal ?? undefined,
          t0: run.t0,
          compensationUs: run.compensationUs,
          tracedKeys: run.tracedKeys,
          keyPath: run.keyPath,
          markers: markers.map((m) => ({ us: (m.atMs - run.t0) * 1000, text: m.text })),
        });
      } catch (e) {
        info.error = (e as Error).message;
        batch.abort.abort();
        this.finish(info, 'failed', null, null);
      } finally {
        off();
        offState();
        if (stopWatch && !watchStopped) await stopWatch().catch(() => undefined);
      }
    }
  }

  private finish(info: ReplayInfo, state: ReplayInfo['state'], results: ReplayEventResult[] | null, extra: { t0: number; compensationUs: number | null; tracedKeys: number; keyPath?: 'vnc' | 'qmp'; hostStealPct?: number; markers: { us: number; text: string }[] } | null): void {
    info.state = state;
    info.endedAt = this.now();
    let report: ReplayReport | null = null;
    if (results && extra) {
      const errs = results.filter((r) => r.injectedUs !== null).map((r) => r.injectedUs! - r.scheduledUs);
      report = {
        replay: { ...info },
        events: results,
        markers: extra.markers,
        stats: {
          injectErrUsP50: percentileOf(errs.map(Math.abs), 50),
          injectErrUsP99: percentileOf(errs.map(Math.abs), 99),
          guestErrUsP99: guestIntervalErrP99(results, info.speed),
          compensationUs: extra.compensationUs,
          tracedKeys: extra.tracedKeys,
          keyPath: extra.keyPath,
          hostStealPct: extra.hostStealPct,
        },
      };
    }
    this.deps.store.saveReplay(info, report);
    this.deps.bus.emit('replay.changed', { ...info });
  }

  cancel(replayId: string): ReplayInfo {
    const batch = this.batches.get(replayId);
    if (batch) batch.abort.abort();
    return this.deps.store.replay(replayId).info;
  }

  report(replayId: string): ReplayReport {
    const { info, report } = this.deps.store.replay(replayId);
    if (report) return { ...report, replay: info };
    return { replay: info, events: [], markers: [], stats: { injectErrUsP50: null, injectErrUsP99: null, guestErrUsP99: null, compensationUs: null } };
  }
}

/**
 * Guest-observed interval − recorded interval between consecutive key events that the guest
 * saw, 99th percentile of the absolute error (µs); null when the guest saw fewer than two.
 */
export function guestIntervalErrP99(results: ReplayEventResult[], _speed: number): number | null {
  const seen = results.filter((r) => r.kind === 'key' && r.guestUs !== null);
  const errs: number[] = [];
  for (let i = 1; i < seen.length; i++) {
    const guest = seen[i]!.guestUs! - seen[i - 1]!.guestUs!;
    const recorded = seen[i]!.scheduledUs - seen[i - 1]!.scheduledUs;
    errs.push(Math.abs(guest - recorded));
  }
  return errs.length ? percentileOf(errs, 99) : null;
}
