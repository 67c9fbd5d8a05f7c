/**
 * The host agent: every service Benchtop has, wired together, with no Electron in sight.
 * The Electron main process, the WebSocket server, the CLI and the tests all start here.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ImageInfo } from '../../src-shared/contract';
import { BenchtopError } from '../../src-shared/errors';
import { AgentService } from './agent/service';
import { UploadStaging } from './agent/uploads';
import { findBoard, type BoardProfile } from './boards/profiles';
import { EventBus } from './events';
import { HostTerminalService } from './hostterm/service';
import { InputService } from './input/service';
import { openGuestSampler } from './monitor/guest-sampler';
import { MonitorService } from './monitor/service';
import { MonitorStore } from './monitor/store';
import { ReplayService } from './replay/service';
import { ReplayStore } from './replay/store';
import { SessionService, type ImageProvider } from './sessions/service';
import { openInjectorWorker } from './replay/injector-host';
import { minEventGapMs } from './input/keys';
import { KEY_TRACE_EVENT } from './qemu/trace-log';
import { openDb, type Db } from './store/db';
import { SessionStore } from './store/session-store';
import { findRepoRoot } from './util/repo-root';
import { defaultWorkspace } from './workspace';

export interface CoreOptions {
  workspace?: string;
  /** Supplies kernel/initrd/SD for a board; default builds (or reuses) the cached guest image. */
  images?: ImageProvider;
  envPath?: string;
  extraQemuArgs?: string[];
  /**
   * The replayer's worker script. Default: the TypeScript source next to the core (run through
   * tsx); a bundle (the Electron build) passes its own built file.
   */
  replayWorkerEntry?: URL;
}

export interface Core {
  version: string;
  workspace: string;
  bus: EventBus;
  db: Db;
  sessions: SessionService;
  hostTerminals: HostTerminalService;
  /** Target agent links, one per running session (src-main/core/agent). */
  agents: AgentService;
  /** Large uploads staged on the host in chunks before they are pushed to the guest. */
  uploads: UploadStaging;
  /** Resource monitor: sampling of every running session, its record (src-main/core/monitor). */
  monitor: MonitorService;
  /** Guest keys through QMP and the board's screen (src-main/core/input). */
  input: InputService;
  /** Event manager: recorder, recordings, replays (src-main/core/replay). */
  replay: ReplayService;
  ensureImage(board: string): Promise<ImageInfo>;
  close(): Promise<void>;
}

export function createCore(opts: CoreOptions = {}): Core {
  const workspace = path.resolve(opts.workspace ?? defaultWorkspace());
  fs.mkdirSync(workspace, { recursive: true });
  const repoRoot = findRepoRoot();
  const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const db = openDb(path.join(workspace, 'benchtop.sqlite'));
  const bus = new EventBus();
  const images: ImageProvider =
    opts.images ??
    (async (board, onProgress) => {
      // Loaded on first use: most commands never build an image.
      const { ensureImage } = await import('./image');
      return ensureImage({ board, repoRoot, onProgress: (p) => onProgress(p.step, p.message, p.done) });
    });
  const sessions = new SessionService({ store: new SessionStore(db), bus, workspace, images, envPath: opts.envPath, extraQemuArgs: opts.extraQemuArgs });
  const hostTerminals = new HostTerminalService({
    bus,
    workspace,
    boardOf: (id) => {
      const board = findBoard(sessions.get(id).board);
      if (!board) throw new BenchtopError('unsupported-board', `session ${id} has an unknown board`);
      return board;
    },
  });
  const agents = new AgentService({ bus, sessions });
  const uploads = new UploadStaging();
  const monitor = new MonitorService({ bus, sessions, agents, store: new MonitorStore(db), openSampler: openGuestSampler });
  const input = new InputService(sessions);
  const replay = new ReplayService({
    bus,
    sessions,
    store: new ReplayStore(db),
    input,
    guest: {
      watch: async (id) => {
        const ch = agents.channel(id, 'replay');
        await ch.inputWatch(true, { timeoutMs: 5000 });
        return async () => void (await ch.inputWatch(false, { timeoutMs: 5000 }));
      },
      toHostMs: (id, monoUs) => monitor.guestToHostMs(id, monoUs),
    },
    openTarget: (id) =>
      openInjectorWorker({
        entry: opts.replayWorkerEntry,
        qmpSocket: sessions.qemu(id).sockets.replayQmp,
        traceLog: sessions.qemu(id).traceEvents.includes(KEY_TRACE_EVENT) ? sessions.qemu(id).logFile : null,
        vncSocket: sessions.qemu(id).sockets.vnc,
        minGapMs: minEventGapMs(sessions.get(id).inputDevice),
        writeConsole: (data) => sessions.writeConsole(id, data),
      }),
  });
  let closed = false;
  return {
    version,
    workspace,
    bus,
    db,
    sessions,
    hostTerminals,
    agents,
    uploads,
    monitor,
    input,
    replay,
    ensureImage(boardId: string) {
      const board: BoardProfile | undefined = findBoard(boardId);
      if (!board) throw new BenchtopError('unsupported-board', `unknown board '${boardId}'`);
      return images(board, (step, message, done) => bus.emit('image.progress', { board: board.id, step, message, done }));
    },
    async close() {
      if (closed) return;
      closed = true;
      hostTerminals.closeAll();
      agents.close();
      await sessions.stopAll();
      monitor.close();
      replay.close();
      uploads.close();
      db.close();
    },
  };
}
