/**
 * Wires the front door to the stores: event subscriptions from app start (so no console output
 * is missed, whichever terminal is open), the initial load and the refetch after a reconnect.
 */
import type { SessionSummary } from '../../../src-shared/contract';
import type { Api } from '../../../src-shared/transport';
import { BenchtopError } from '../../../src-shared/errors';
import { isLive } from '../features/sessions/actions';
import { useSessions } from '../features/sessions/sessionsStore';
import { wireHostTerms } from '../features/hostterm/hostTermStore';
import { wireAgent } from '../features/processes/agentWire';
import { HistoryLoader, useHistory } from '../features/log/historyStore';
import { useImage } from '../features/status/imageStore';
import { reportError } from '../features/status/errorsStore';
import { consoles as defaultConsoles, type ConsoleRegistry } from '../features/terminal/consoleStore';
import { isConnectionError } from '../platform/wsTransport';
import type { Platform } from '../platform/platform';

export type ControllerPlatform = Pick<Platform, 'api' | 'onConnected' | 'onDisconnected' | 'onServerError' | 'start'>;

export function runSeparator(s: SessionSummary, at = Date.now()): string {
  const time = new Date(at).toLocaleTimeString([], { hour12: false });
  return `\x1b[2;36m──────── run ${s.runs} · ${time} ────────\x1b[0m\r\n`;
}

function ignorable(err: unknown): boolean {
  // Lost connection: the status bar says so and the reconnect refetches everything.
  // Not found: the session was deleted meanwhile; `session.removed` cleans up.
  return isConnectionError(err) || (err instanceof BenchtopError && err.code === 'not-found');
}

export class AppController {
  readonly history: HistoryLoader;
  private readonly api: Api;
  private unsubs: (() => void)[] = [];

  constructor(
    private readonly platform: ControllerPlatform,
    private readonly consoles: ConsoleRegistry = defaultConsoles,
  ) {
    this.api = platform.api;
    this.history = new HistoryLoader(this.api);
  }

  start(): void {
    const { api } = this;
    this.unsubs.push(
      api.on('session.changed', (s) => this.onSessionChanged(s)),
      api.on('session.removed', ({ id }) => this.onRemoved(id)),
      api.on('console.output', (p) => this.consoles.onOutput(p)),
      api.on('image.progress', (p) => useImage.getState().update(p)),
      this.platform.onDisconnected(() => this.consoles.markAllStale()),
      this.platform.onServerError((e) => reportError('Server', new BenchtopError(e.code, e.message))),
      this.platform.onConnected(() => void this.refresh()),
      useSessions.subscribe((st, prev) => {
        if (st.selectedId !== prev.selectedId && st.selectedId) this.onSelected(st.selectedId);
      }),
      // Host terminals, agent status, guest processes: kept whether or not their pane is open.
      ...wireHostTerms(api, this.platform),
      ...wireAgent(api, this.platform),
    );
    this.platform.start();
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  /** Initial load and reload after a reconnect. */
  async refresh(): Promise<void> {
    let list: SessionSummary[];
    try {
      const [sessions, boards] = await Promise.all([this.api.sessions.list(), this.api.boards.list()]);
      list = sessions;
      useSessions.getState().setAll(sessions);
      useSessions.getState().setBoards(boards);
    } catch (err) {
      if (!isConnectionError(err)) reportError('Load sessions', err);
      return;
    }
    const present = new Set(list.map((s) => s.id));
    const selected = useSessions.getState().selectedId;
    for (const id of Object.keys(useHistory.getState().bySession)) if (!present.has(id)) useHistory.getState().forget(id);
    for (const id of this.consoles.ids()) if (!present.has(id)) this.consoles.delete(id);
    // Transcripts now for what is live or shown; the others when they are selected.
    for (const s of list) if (isLive(s.state) || s.id === selected) this.syncConsole(s.id);
    if (selected) void this.history.refresh(selected);
  }

  syncConsole(id: string): void {
    this.consoles.sync(this.api, id).catch((err: unknown) => {
      if (!ignorable(err)) reportError(`Load the console of ${useSessions.getState().byId[id]?.name ?? id}`, err);
    });
  }

  private onSelected(id: string): void {
    this.syncConsole(id);
    void this.history.refresh(id);
  }

  private onSessionChanged(s: SessionSummary): void {
    const prev = useSessions.getState().byId[s.id];
    useSessions.getState().upsert(s);
    // A marker between runs (the transcript itself runs on across runs).
    if (prev && s.runs > prev.runs && s.runs > 1) this.consoles.get(s.id).appendMarker(runSeparator(s));
    if (isLive(s.state) && this.consoles.get(s.id).needsSync) this.syncConsole(s.id);
    if (useSessions.getState().selectedId === s.id) this.history.schedule(s.id);
  }

  private onRemoved(id: string): void {
    useSessions.getState().remove(id);
    this.consoles.delete(id);
    this.history.cancel(id);
    useHistory.getState().forget(id);
  }
}
