/**
 * Sessions: one VM each. Owns the live QemuSessions, keeps the store in step with them and
 * publishes `session.changed` / `console.output` on the event bus.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BoardInfo, ImageInfo, LifecycleEvent, SessionState, SessionSummary } from '../../../src-shared/contract';
import { BenchtopError } from '../../../src-shared/errors';
import type { Determinism } from '../../../src-shared/features/determinism';
import type { InputDevice } from '../../../src-shared/features/recording';
import { compareTranscripts, finishRecording, openRecording, prepareRecording } from '../determinism/recording-files';
import { boards, findBoard, type BoardProfile } from '../boards/profiles';
import type { EventBus } from '../events';
import { QemuSession, type RecordReplay } from '../qemu/session';
import type { SessionRecord, SessionStore } from '../store/session-store';
import { ConsoleLog } from './console-log';

export type ImageProvider = (board: BoardProfile, onProgress: (step: string, message: string, done: boolean) => void) => Promise<ImageInfo>;

interface Live {
  qemu: QemuSession;
  console: ConsoleLog;
}

const LIVE_STATES: SessionState[] = ['starting', 'running', 'paused', 'stopping'];

export class SessionService {
  private readonly live = new Map<string, Live>();
  private readonly starting = new Set<string>();
  private readonly consoleInputListeners = new Set<(id: string, data: string) => void>();
  /** Why a reproduction was stopped (QemuSession 'diverged'), until its exit is saved. */
  private readonly divergence = new Map<string, string>();

  constructor(
    private readonly deps: {
      store: SessionStore;
      bus: EventBus;
      workspace: string;
      images: ImageProvider;
      envPath?: string;
      /** Extra QEMU arguments for every session (tests). */
      extraQemuArgs?: string[];
    },
  ) {
    // Sessions that were live when Benchtop last exited: their QEMU went with it.
    for (const rec of deps.store.list()) {
      if (LIVE_STATES.includes(rec.state)) {
        this.save({ ...rec, state: 'stopped', endedAt: rec.endedAt ?? Date.now(), error: 'Benchtop closed while this VM was running' });
        deps.store.addEvent(rec.id, 'stopped', 'Benchtop closed while this VM was running');
      }
    }
  }

  boards(): BoardInfo[] {
    return Object.values(boards).map((b) => ({ id: b.id, title: b.title, machine: b.machine, description: b.description }));
  }

  list(): SessionSummary[] {
    return this.deps.store.list().map((r) => this.summary(r));
  }

  get(id: string): SessionSummary {
    return this.summary(this.record(id));
  }

  create(input: { name?: string; board: string; inputDevice?: InputDevice; deterministic?: boolean }): SessionSummary {
    const board = findBoard(input.board);
    if (!board) throw new BenchtopError('unsupported-board', `unknown board '${input.board}'; known: ${Object.keys(boards).join(', ')}`);
    if (input.deterministic && input.inputDevice === 'keypad') {
      throw new BenchtopError('bad-request', 'a deterministic session needs the USB keyboard: the board keypad loses keys while QEMU records');
    }
    const id = crypto.randomBytes(4).toString('hex');
    const createdAt = Date.now();
    const name = input.name ?? `${board.id} ${new Date(createdAt).toISOString().slice(0, 19).replace('T', ' ')}`;
    const inputDevice = input.deterministic ? 'usb-kbd' : (input.inputDevice ?? 'keypad');
    this.deps.store.create({ id, name, board: board.id, createdAt, inputDevice, determinism: input.deterministic ? { mode: 'record' } : { mode: 'off' } });
    return this.publish(id);
  }

  /**
   * A session whose every run replays run `run` of session `of` (determinism.reproduce). Checked
   * here so that a run that cannot be replayed gives its reason before anything is created.
   */
  createReproduction(of: string, run: number): SessionSummary {
    const src = this.record(of);
    if (src.determinism.mode !== 'record') throw new BenchtopError('invalid-state', `session ${src.name} was not created in deterministic mode: it has no recordings`);
    openRecording(this.runDir(of, run), `run ${run} of ${src.name}`);
    const id = crypto.randomBytes(4).toString('hex');
    this.deps.store.create({
      id,
      name: `${src.name} · reproduction of run ${run}`.slice(0, 80),
      board: src.board,
      createdAt: Date.now(),
      inputDevice: src.inputDevice,
      determinism: { mode: 'replay', of: { sessionId: of, run }, verdict: null },
    });
    this.event(id, 'reproduces', `run ${run} of ${src.name} (${of})`);
    return this.publish(id);
  }

  /** The folder of one run's files (qemu.log, and rr/ for a recorded run). */
  runDir(id: string, run: number): string {
    return path.join(this.sessionDir(id), `run-${run}`);
  }

  /** The folder of a session's files. */
  sessionDir(id: string): string {
    return path.join(this.deps.workspace, 'sessions', id);
  }

  /** A fresh workspace opens on one mainstone session, ready to start. */
  ensureDefaultSession(): SessionSummary {
    return this.list()[0] ?? this.create({ board: 'mainstone', name: 'mainstone' });
  }

  rename(id: string, name: string): SessionSummary {
    this.save({ ...this.record(id), name });
    return this.publish(id);
  }

  async delete(id: string): Promise<void> {
    this.record(id);
    const live = this.live.get(id);
    if (live) await live.qemu.stop();
    this.deps.store.delete(id);
    fs.rmSync(this.sessionDir(id), { recursive: true, force: true });
    this.deps.bus.emit('session.removed', { id });
  }

  history(id: string): LifecycleEvent[] {
    this.record(id);
    return this.deps.store.history(id);
  }

  async start(id: string): Promise<SessionSummary> {
    const rec = this.record(id);
    if (this.live.has(id) || this.starting.has(id)) throw new BenchtopError('invalid-state', `session ${id} is already ${rec.state}`);
    const board = findBoard(rec.board);
    if (!board) throw new BenchtopError('unsupported-board', `session ${id} uses unknown board '${rec.board}'`);
    this.starting.add(id);
    const run = rec.runs + 1;
    this.save({ ...rec, state: 'starting', runs: run, startedAt: Date.now(), endedAt: null, exit: null, error: null });
    this.event(id, 'start', `run ${run}`);
    this.publish(id);
    try {
      const runDir = this.runDir(id, run);
      let image: ImageInfo;
      let rr: RecordReplay | undefined;
      let recordedBy: string | null = null;
      if (rec.determinism.mode === 'replay') {
        const { sessionId, run: srcRun } = rec.determinism.of;
        const recording = openRecording(this.runDir(sessionId, srcRun), `run ${srcRun} of session ${sessionId}`);
        image = recording.image;
        rr = { mode: 'replay', logFile: recording.logFile };
        recordedBy = recording.manifest.qemuVersion;
      } else {
        const built = await this.deps.images(board, (step, message, done) =>
          this.deps.bus.emit('image.progress', { board: board.id, step, message, done }),
        );
        image = { ...built, sd: this.sessionSdCard(id, built.sd) };
        if (rec.determinism.mode === 'record') {
          const recording = prepareRecording(runDir, image, { sessionId: id, run, board: board.id });
          image = recording.image;
          rr = { mode: 'record', logFile: recording.logFile };
        }
      }
      const qemu = new QemuSession({
        board,
        image,
        runDir,
        envPath: this.deps.envPath,
        extraArgs: this.deps.extraQemuArgs,
        inputDevice: rec.inputDevice,
        rr,
      });
      const log = new ConsoleLog(this.deps.store, id, run, this.deps.store.consoleBytes(id));
      this.live.set(id, { qemu, console: log });
      this.wire(id, qemu, log);
      await qemu.start();
      // QEMU checks its log's format itself; a different version with the same format may still
      // replay differently, which shows as a divergence: say where to look first.
      if (recordedBy && qemu.version && recordedBy !== qemu.version) {
        this.event(id, 'warning', `the run was recorded by QEMU ${recordedBy} and is replayed by QEMU ${qemu.version}: a divergence may come from that`);
      }
      return this.get(id);
    } catch (err) {
      const live = this.live.get(id);
      this.live.delete(id);
      live?.console.close('start failed');
      const message = err instanceof Error ? err.message : String(err);
      const cur = this.record(id);
      this.save({ ...cur, state: cur.state === 'crashed' ? 'crashed' : 'stopped', endedAt: Date.now(), error: message });
      this.event(id, 'error', message);
      this.publish(id);
      throw err;
    } finally {
      this.starting.delete(id);
    }
  }

  async pause(id: string): Promise<SessionSummary> {
    await this.requireLive(id).qemu.pause();
    return this.get(id);
  }

  async resume(id: string): Promise<SessionSummary> {
    await this.requireLive(id).qemu.resume();
    return this.get(id);
  }

  async reset(id: string): Promise<SessionSummary> {
    await this.requireLive(id).qemu.reset();
    this.event(id, 'reset', 'system_reset');
    return this.get(id);
  }

  async stop(id: string): Promise<SessionSummary> {
    await this.requireLive(id).qemu.stop();
    return this.get(id);
  }

  writeConsole(id: string, data: string): void {
    this.requireLive(id).qemu.writeConsole(data);
    for (const l of this.consoleInputListeners) l(id, data);
  }

  /** Everything written into a session's console, from any caller (the recorder listens). */
  onConsoleInput(listener: (id: string, data: string) => void): () => void {
    this.consoleInputListeners.add(listener);
    return () => this.consoleInputListeners.delete(listener);
  }

  transcript(id: string, maxBytes: number): { data: string; totalBytes: number; truncated: boolean } {
    this.record(id);
    this.live.get(id)?.console.flush();
    const { data, totalBytes } = this.deps.store.consoleTail(id, maxBytes);
    // A cut may land inside a UTF-8 sequence: skip its continuation bytes.
    let start = 0;
    while (start < data.length && start < 4 && (data[start]! & 0xc0) === 0x80) start++;
    return { data: data.subarray(start).toString('utf8'), totalBytes, truncated: totalBytes > data.length };
  }

  /** Live console access for the CLI and tests (not part of the UI contract). */
  console(id: string): ConsoleLog {
    return this.requireLive(id).console;
  }

  /** The live QEMU of a session (later features: monitor, debug). */
  qemu(id: string): QemuSession {
    return this.requireLive(id).qemu;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => l.qemu.stop().catch(() => undefined)));
  }

  /** Kill every QEMU synchronously (process exit path: no time for a graceful quit). */
  killAll(): void {
    for (const l of this.live.values()) {
      const pid = l.qemu.pid;
      if (pid) {
        try {
          // SIGTERM lets a recording QEMU write its log's header; a killed recording is lost.
          process.kill(pid, l.qemu.rrMode === 'record' ? 'SIGTERM' : 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  }

  private wire(id: string, qemu: QemuSession, log: ConsoleLog): void {
    qemu.on('console', (buf) => {
      const { text, offset } = log.push(buf);
      if (text) this.deps.bus.emit('console.output', { id, data: text, offset });
    });
    qemu.on('state', (state, detail) => {
      this.event(id, state, detail);
      // The end of a run is saved (with its exit info) by the 'exit' handler, in one update.
      if (state === 'stopped' || state === 'crashed') return;
      const cur = this.record(id);
      this.save({ ...cur, state });
      this.publish(id);
    });
    qemu.on('qmpEvent', (e) => {
      if (e.event === 'STOP' || e.event === 'RESUME') return; // shown as state changes
      this.event(id, 'qmp-event', `${e.event}${Object.keys(e.data).length ? ' ' + JSON.stringify(e.data) : ''}`);
    });
    qemu.on('diverged', (detail) => {
      this.divergence.set(id, detail);
      this.event(id, 'error', detail);
    });
    qemu.on('exit', (info) => {
      log.close('QEMU exited');
      this.live.delete(id);
      const cur = this.record(id);
      const how = info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
      const determinism = this.endOfRun(id, cur, info, qemu.version);
      // QEMU itself ends a replay that meets an event its log does not have (exit 1, "Missing
      // character write event in the replay log"): that is a divergence too, in QEMU's words.
      const qemuSays = info.stderrTail.at(-1)?.replace(/^\S+Z qemu-system-\w+: /, '');
      const diverged =
        this.divergence.get(id) ??
        (cur.determinism.mode === 'replay' && !info.expected ? `the reproduction left its recording (QEMU: ${qemuSays ?? how})` : null);
      this.divergence.delete(id);
      this.save({
        ...cur,
        state: info.expected ? 'stopped' : 'crashed',
        endedAt: Date.now(),
        exit: { code: info.code, signal: info.signal, stderrTail: info.stderrTail },
        error: diverged ?? (info.expected ? cur.error : `QEMU exited unexpectedly (${how})`),
        determinism,
      });
      this.publish(id);
    });
  }

  /** What deterministic mode keeps of a run that ended: its manifest, or the reproduction's verdict. */
  private endOfRun(id: string, cur: SessionRecord, info: { code: number | null; signal: string | null }, qemuVersion: string | null): Determinism {
    const d = cur.determinism;
    try {
      if (d.mode === 'record') {
        finishRecording(this.runDir(id, cur.runs), {
          exit: { code: info.code, signal: info.signal },
          consoleBytes: this.deps.store.consoleOfRun(id, cur.runs).length,
          qemuVersion,
        });
      } else if (d.mode === 'replay') {
        const src = this.deps.store.get(d.of.sessionId);
        const label = `run ${d.of.run} of ${src?.name ?? d.of.sessionId}`;
        const verdict = compareTranscripts(this.deps.store.consoleOfRun(d.of.sessionId, d.of.run), this.deps.store.consoleOfRun(id, cur.runs), label);
        this.event(id, verdict.identical ? 'reproduced' : 'error', verdict.detail);
        return { ...d, verdict };
      }
    } catch (e) {
      this.event(id, 'error', `deterministic mode: ${(e as Error).message}`);
    }
    return d;
  }

  /**
   * Each session writes to its own copy of the SD card (the cached image is a read-only
   * template; QEMU also locks a writable image, so two sessions could not share one). The copy
   * lives with the session and keeps what the guest wrote across runs.
   */
  private sessionSdCard(id: string, template: string): string {
    const dir = this.sessionDir(id);
    const sd = path.join(dir, 'sd.img');
    if (!fs.existsSync(sd)) {
      if (!fs.existsSync(template)) return template; // QemuSession.start names what is missing
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${sd}.tmp`;
      fs.copyFileSync(template, tmp, fs.constants.COPYFILE_FICLONE);
      fs.renameSync(tmp, sd);
    }
    return sd;
  }

  private requireLive(id: string): Live {
    const rec = this.record(id);
    const live = this.live.get(id);
    if (!live) throw new BenchtopError('invalid-state', `session ${id} is not running (state: ${rec.state})`);
    return live;
  }

  private record(id: string): SessionRecord {
    const rec = this.deps.store.get(id);
    if (!rec) throw new BenchtopError('not-found', `no session with id ${id}`);
    return rec;
  }

  private save(rec: SessionRecord): void {
    this.deps.store.update(rec);
  }

  private event(id: string, kind: string, detail: string): void {
    this.deps.store.addEvent(id, kind, detail);
  }

  private summary(rec: SessionRecord): SessionSummary {
    const live = this.live.get(rec.id);
    return { ...rec, gdbPort: live && live.qemu.gdbPort ? live.qemu.gdbPort : null };
  }

  private publish(id: string): SessionSummary {
    const s = this.get(id);
    this.deps.bus.emit('session.changed', s);
    return s;
  }
}
