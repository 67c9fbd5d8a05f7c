/**
 * Host terminals (a shell on the host, in the session's folder, with the ARM cross toolchain):
 * one per session, its text kept outside React in a ConsoleBuffer so it survives tab switches.
 *
 * The buffer is the guest console's: `hostterm.backlog` → {data, totalChars} is the baseline,
 * live `hostterm.output` chunks carry the character `offset` where they start, so a chunk below
 * the backlog's `totalChars` (or not past the last one) is dropped. Offsets count UTF-16 units
 * here instead of bytes; the buffer only compares them, so it does not care.
 *
 * What React shows (cwd, exit, opening, error) lives in the small zustand store `useHostTerms`.
 */
import { create } from 'zustand';
import type { HostTerminalInfo } from '../../../../src-shared/features/hostterm';
import type { Api } from '../../../../src-shared/transport';
import { BenchtopError } from '../../../../src-shared/errors';
import type { ControllerPlatform } from '../../app/controller';
import { reportError } from '../status/errorsStore';
import { ConsoleBuffer, DEFAULT_BUFFER_OPTIONS, type ConsoleBufferOptions } from '../terminal/consoleBuffer';
import { WriteQueue } from '../terminal/writeQueue';

export type HostTermApi = Pick<Api, 'hostterm'>;

export interface HostTermExit {
  exitCode: number;
  signal: number | null;
}

/** What the pane shows of a session's host terminal. */
export interface HostTermView {
  termId: string | null;
  cwd: string | null;
  shell: string | null;
  /** Set when the shell ended; the pane offers to open a new one. */
  exit: HostTermExit | null;
  /** The server no longer knows the terminal (it restarted). */
  lost: boolean;
  opening: boolean;
  error: string | null;
}

export const EMPTY_VIEW: HostTermView = { termId: null, cwd: null, shell: null, exit: null, lost: false, opening: false, error: null };

export interface HostTermsState {
  bySession: Record<string, HostTermView>;
}

export const useHostTerms = create<HostTermsState>(() => ({ bySession: {} }));

interface Entry {
  sessionId: string;
  info: HostTerminalInfo;
  buffer: ConsoleBuffer;
  writer: WriteQueue;
  exit: HostTermExit | null;
  lost: boolean;
}

/** Output for terminals not adopted (yet): kept a little in case `open` answers after it. */
const ORPHAN_TERMS = 8;
const ORPHAN_CHARS = 64 * 1024;

export function exitText(e: HostTermExit): string {
  return e.signal ? `killed by signal ${e.signal}` : `exit code ${e.exitCode}`;
}

export class HostTermRegistry {
  private readonly bySession = new Map<string, Entry>();
  private readonly byTerm = new Map<string, Entry>();
  private readonly orphans = new Map<string, { offset: number; data: string }[]>();
  private readonly inflight = new Map<string, Promise<void>>();
  /** The size of the last fitted view, used to open the next shell at the right size. */
  lastSize = { cols: 100, rows: 30 };

  constructor(
    private readonly onWriteError: (err: unknown) => void = () => {},
    private readonly opts: ConsoleBufferOptions = DEFAULT_BUFFER_OPTIONS,
  ) {}

  buffer(sessionId: string): ConsoleBuffer | null {
    return this.bySession.get(sessionId)?.buffer ?? null;
  }

  termId(sessionId: string): string | null {
    return this.bySession.get(sessionId)?.info.termId ?? null;
  }

  /** True when the session has a shell that can take input. */
  isLive(sessionId: string): boolean {
    const e = this.bySession.get(sessionId);
    return !!e && !e.exit && !e.lost;
  }

  /**
   * Make sure the session has a live shell: the one held, else one the server still runs (after
   * a page reload), else a new one. Concurrent calls share one attempt. Errors land in the view.
   */
  ensure(api: HostTermApi, sessionId: string): Promise<void> {
    if (this.isLive(sessionId)) return Promise.resolve();
    const running = this.inflight.get(sessionId);
    if (running) return running;
    this.setView(sessionId, { opening: true, error: null });
    const p = (async () => {
      const stale = this.bySession.get(sessionId);
      if (stale) {
        this.drop(stale);
        // An exited terminal is still listed by the server until closed; free it.
        if (!stale.lost) api.hostterm.close({ termId: stale.info.termId }).catch(() => {});
      }
      const listed = await api.hostterm.list({ sessionId });
      const live = listed.filter((t) => !t.exited && t.termId !== stale?.info.termId).at(-1);
      const info = live ?? (await api.hostterm.open({ sessionId, ...this.lastSize }));
      const entry = this.adopt(api, info);
      await this.sync(api, entry);
    })()
      .then(
        () => this.setView(sessionId, { opening: false }),
        (err: unknown) => {
          this.setView(sessionId, { opening: false, error: err instanceof Error ? err.message : String(err) });
        },
      )
      .finally(() => {
        if (this.inflight.get(sessionId) === p) this.inflight.delete(sessionId);
      });
    this.inflight.set(sessionId, p);
    return p;
  }

  /** Keystrokes for the session's shell (in order, coalesced while a write is in flight). */
  write(sessionId: string, data: string): void {
    const e = this.bySession.get(sessionId);
    if (e && !e.exit && !e.lost) e.writer.push(data);
  }

  resize(api: HostTermApi, sessionId: string, cols: number, rows: number): void {
    this.lastSize = { cols, rows };
    const e = this.bySession.get(sessionId);
    if (!e || e.exit || e.lost) return;
    api.hostterm.resize({ termId: e.info.termId, cols, rows }).catch(() => {
      // exited or gone meanwhile: the exit event or the next sync says so
    });
  }

  onOutput(p: { termId: string; data: string; offset: number }): void {
    const e = this.byTerm.get(p.termId);
    if (e) {
      e.buffer.push(p.offset, p.data);
      return;
    }
    let list = this.orphans.get(p.termId);
    if (!list) {
      this.orphans.set(p.termId, (list = []));
      while (this.orphans.size > ORPHAN_TERMS) this.orphans.delete(this.orphans.keys().next().value!);
    }
    list.push({ offset: p.offset, data: p.data });
    let chars = list.reduce((n, c) => n + c.data.length, 0);
    while (chars > ORPHAN_CHARS && list.length > 1) chars -= list.shift()!.data.length;
  }

  onExit(p: { termId: string; exitCode: number; signal: number | null }): void {
    const e = this.byTerm.get(p.termId);
    if (!e || e.exit) return;
    e.exit = { exitCode: p.exitCode, signal: p.signal };
    e.buffer.appendMarker(`\x1b[2m[the shell ended: ${exitText(e.exit)}]\x1b[0m\r\n`);
    this.setView(e.sessionId, { exit: e.exit });
  }

  markAllStale(): void {
    for (const e of this.bySession.values()) e.buffer.markStale();
  }

  /** After a reconnect: refetch the backlog of every terminal held. */
  resyncAll(api: HostTermApi): Promise<void> {
    return Promise.all([...this.bySession.values()].filter((e) => e.buffer.needsSync).map((e) => this.sync(api, e).catch(() => {}))).then(() => {});
  }

  forget(sessionId: string): void {
    const e = this.bySession.get(sessionId);
    if (e) this.drop(e);
    this.inflight.delete(sessionId);
    useHostTerms.setState((st) => {
      const { [sessionId]: _gone, ...rest } = st.bySession;
      return { bySession: rest };
    });
  }

  sessionIds(): string[] {
    return [...this.bySession.keys()];
  }

  // ---------------------------------------------------------------------------------------------

  private adopt(api: HostTermApi, info: HostTerminalInfo): Entry {
    const termId = info.termId;
    const entry: Entry = {
      sessionId: info.sessionId,
      info,
      buffer: new ConsoleBuffer(this.opts),
      writer: new WriteQueue((data) => api.hostterm.write({ termId, data }), this.onWriteError),
      exit: null,
      lost: false,
    };
    this.bySession.set(info.sessionId, entry);
    this.byTerm.set(termId, entry);
    for (const c of this.orphans.get(termId) ?? []) entry.buffer.push(c.offset, c.data);
    this.orphans.delete(termId);
    this.setView(info.sessionId, { termId, cwd: info.cwd, shell: info.shell, exit: null, lost: false });
    return entry;
  }

  private async sync(api: HostTermApi, e: Entry): Promise<void> {
    const gen = e.buffer.beginSync();
    try {
      const b = await api.hostterm.backlog({ termId: e.info.termId });
      e.buffer.applyTranscript(gen, { data: b.data, totalBytes: b.totalChars, truncated: b.totalChars > b.data.length });
    } catch (err) {
      e.buffer.failSync(gen);
      if (err instanceof BenchtopError && err.code === 'not-found') {
        e.lost = true;
        this.setView(e.sessionId, { lost: true });
        return;
      }
      throw err;
    }
  }

  private drop(e: Entry): void {
    if (this.bySession.get(e.sessionId) === e) this.bySession.delete(e.sessionId);
    this.byTerm.delete(e.info.termId);
  }

  private setView(sessionId: string, patch: Partial<HostTermView>): void {
    useHostTerms.setState((st) => ({
      bySession: { ...st.bySession, [sessionId]: { ...(st.bySession[sessionId] ?? EMPTY_VIEW), ...patch } },
    }));
  }
}

/** The app's one registry. */
export const hostTerms = new HostTermRegistry((err) => {
  // A write racing the shell's exit: the exit event tells the user.
  if (!(err instanceof BenchtopError && err.code === 'invalid-state')) reportError('Host terminal input', err);
});

/** Subscriptions from app start (app/controller.ts), so no output is missed while the pane is closed. */
export function wireHostTerms(
  api: HostTermApi & Pick<Api, 'on'>,
  platform: Pick<ControllerPlatform, 'onConnected' | 'onDisconnected'>,
  registry: HostTermRegistry = hostTerms,
): (() => void)[] {
  return [
    api.on('hostterm.output', (p) => registry.onOutput(p)),
    api.on('hostterm.exit', (p) => registry.onExit(p)),
    api.on('session.removed', ({ id }) => registry.forget(id)),
    platform.onDisconnected(() => registry.markAllStale()),
    platform.onConnected(() => void registry.resyncAll(api)),
  ];
}
