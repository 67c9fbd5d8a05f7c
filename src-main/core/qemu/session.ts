/**
 * One QEMU process and the sockets Benchtop holds on it.
 *
 * QEMU is started stopped (-S) so that the console socket is connected before the first byte
 * of the boot log (with wait=off QEMU drops serial output while no client is connected), then
 * `cont` is sent over QMP. Lifecycle: starting → running ⇄ paused → stopping → stopped, or
 * crashed when the process exits without being asked to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BenchtopError } from '../../../src-shared/errors';
import type { ExitInfo, ImageInfo, SessionState } from '../../../src-shared/contract';
import type { InputDevice } from '../../../src-shared/features/recording';
import type { BoardProfile } from '../boards/profiles';
import { QmpClient } from '../qmp/client';
import type { QmpEvent } from '../qmp/codec';
import { AGENT_DATA_GUEST_PORT } from '../agent/data-channel';
import { freeLoopbackPort } from '../util/free-port';
import { makePrivateDir } from '../util/private-dir';
import { connectOptsOf, tcpEndpoint, type Endpoint } from '../util/endpoint';
import { assertBoardSupported } from './probe';
import { KEY_TRACE_EVENT } from './trace-log';
import { IcountWatch } from '../determinism/icount-watch';

const STDERR_TAIL_LINES = 40;

export interface QemuSessionOptions {
  board: BoardProfile;
  image: ImageInfo;
  /** Folder for this run's files (qemu.log). Sockets go to a private runtime folder instead. */
  runDir: string;
  /** Extra arguments appended to the command line (tests, later features). */
  extraArgs?: string[];
  envPath?: string;
  startTimeoutMs?: number;
  /** 'usb-kbd' adds QEMU's USB keyboard; default 'keypad' (the board's own, nothing to add). */
  inputDevice?: InputDevice;
  /** QEMU record/replay (deterministic mode, docs/deterministic-mode.md). */
  rr?: RecordReplay;
}

/**
 * A run under QEMU's record/replay: `record` writes QEMU's input log to `logFile`, `replay`
 * plays it back (and takes no input). The image must then be the recording's own copy.
 */
export interface RecordReplay {
  mode: 'record' | 'replay';
  logFile: string;
}

/**
 * How fast console bytes go into a recording VM: QEMU takes bytes from the socket faster than
 * the UART's 16-byte FIFO drains them and loses the rest; one byte per 15 ms was lossless
 * (docs/deterministic-mode.md).
 */
const RECORD_CONSOLE_BYTE_MS = 15;

export interface QemuSessionEvents {
  state: [SessionState, string];
  console: [Buffer];
  qmpEvent: [QmpEvent];
  exit: [ExitInfo & { expected: boolean }];
  /** A replay whose instruction count stopped moving: it left its recording (the detail says why). */
  diverged: [string];
}

/**
 * How long a running replay's instruction count may stand still before it is called diverged:
 * QEMU 7.2 does not say so, it waits for an event the log does not have (measured: icount
 * frozen, status still running). An idle guest still counts instructions (its timer ticks).
 */
const REPLAY_FROZEN_MS = 10_000;
const REPLAY_POLL_MS = 1000;

/** Escape a value for QEMU's comma-separated option syntax. */
export function qemuOptValue(v: string): string {
  return v.replaceAll(',', ',,');
}

export function buildQemuArgs(o: {
  board: BoardProfile;
  image: ImageInfo;
  sockets: { qmp: string; console: Endpoint; agent: Endpoint; replayQmp?: string; vnc?: string };
  gdbPort: number;
  logFile: string;
  extraArgs?: string[];
  inputDevice?: InputDevice;
  /** Host port (127.0.0.1) QEMU forwards to the agent's data channel in the guest. */
  agentDataPort?: number;
  /** QEMU trace events to log, with wall-clock stamps, into the -D log (qemu/trace-log.ts). */
  traceEvents?: readonly string[];
  rr?: RecordReplay;
}): string[] {
  const { board, image, sockets } = o;
  const args = ['-M', board.machine, ...board.extraArgs, '-S'];
  args.push('-kernel', image.kernel, '-initrd', image.initrd, '-append', board.kernelCmdline);
  const disk = board.diskArgs(qemuOptValue(image.sd));
  // Record/replay needs the SD card's first bytes to be the same in both runs, and nothing
  // written back: snapshot=on (-snapshot itself is refused under record/replay).
  args.push(...(o.rr ? disk.map((a, i) => (disk[i - 1] === '-drive' ? `${a},snapshot=on` : a)) : disk));
  board.serials.forEach((s, i) => {
    const id = `serial${i}`;
    const where = connectOptsOf(s.role === 'console' ? sockets.console : sockets.agent);
    const backend = 'path' in where ? `path=${qemuOptValue(where.path)}` : `host=${where.host},port=${where.port}`;
    args.push('-chardev', `socket,id=${id},${backend},server=on,wait=off`, '-serial', `chardev:${id}`);
  });
  args.push('-qmp', `unix:${qemuOptValue(sockets.qmp)},server=on,wait=off`);
  // A second QMP monitor, the replayer's alone (replay/injector-worker.ts): commands on one
  // monitor run in order, and a key must not wait behind a screendump or an HMP command.
  if (sockets.replayQmp) args.push('-qmp', `unix:${qemuOptValue(sockets.replayQmp)},server=on,wait=off`);
  // QEMU's VNC server, for the replayer's keys only (vnc/key-client.ts): QEMU reads a VNC key in
  // its main loop, without the QMP monitor's I/O-thread hop. Private socket, no TCP port.
  if (sockets.vnc) args.push('-vnc', `unix:${qemuOptValue(sockets.vnc)}`);
  args.push('-gdb', `tcp:127.0.0.1:${o.gdbPort}`);
  const net = o.agentDataPort ? withAgentDataForward(board.netArgs, o.agentDataPort) : board.netArgs;
  args.push(...(o.rr ? withReplayNetFilter(net) : net));
  if (o.rr) args.push('-icount', `shift=auto,rr=${o.rr.mode},rrfile=${qemuOptValue(o.rr.logFile)}`);
  args.push('-D', o.logFile);
  if (o.traceEvents?.length) {
    args.push('-msg', 'timestamp=on');
    for (const e of o.traceEvents) args.push('-trace', e);
  }
  // QEMU routes QMP key events to the newest keyboard: with usb-kbd (on the board's OHCI) the
  // keypad gets nothing, which is why it is a per-session choice and not always on.
  if (o.inputDevice === 'usb-kbd') args.push('-device', 'usb-kbd');
  args.push(...(o.extraArgs ?? []));
  return args;
}

/**
 * The board's user-mode NIC with a forward from the host's 127.0.0.1:`port` to the agent's
 * data channel (docs/agent-protocol.md section 6). 127.0.0.1 only: nobody else on the host's
 * network may reach the guest's port. Boards without a user NIC are left alone.
 */
export function withAgentDataForward(netArgs: readonly string[], port: number): string[] {
  return netArgs.map((a, i) => ((netArgs[i - 1] === '-nic' || netArgs[i - 1] === '-netdev') && /^user(,|$)/.test(a) ? `${a},hostfwd=tcp:127.0.0.1:${port}-:${AGENT_DATA_GUEST_PORT}` : a));
}

/**
 * The user NIC named, with QEMU's `filter-replay` on it: without the filter a recording holds no
 * network traffic (QEMU starts anyway), and the replay diverges at the first packet.
 */
export function withReplayNetFilter(netArgs: readonly string[]): string[] {
  const out: string[] = [];
  let named = false;
  for (let i = 0; i < netArgs.length; i++) {
    const a = netArgs[i]!;
    if (!named && (netArgs[i - 1] === '-nic' || netArgs[i - 1] === '-netdev') && /^user(,|$)/.test(a)) {
      const id = /(?:^|,)id=([^,]+)/.exec(a)?.[1];
      out.push(id ? a : `${a},id=rrnet0`);
      out.push('-object', `filter-replay,id=rrfilter0,netdev=${id ?? 'rrnet0'}`);
      named = true;
    } else out.push(a);
  }
  return out;
}

/** Whether the board's network arguments have a user NIC the data channel can be forwarded on. */
export function hasUserNet(netArgs: readonly string[]): boolean {
  return netArgs.some((a, i) => (netArgs[i - 1] === '-nic' || netArgs[i - 1] === '-netdev') && /^user(,|$)/.test(a));
}

export class QemuSession extends EventEmitter<QemuSessionEvents> {
  state: SessionState = 'starting';
  gdbPort = 0;
  /** The host port forwarded to the agent's data channel (127.0.0.1), null without a user NIC. */
  agentDataPort: number | null = null;
  /** QEMU's -D log: its messages and the trace events in `traceEvents`. */
  readonly logFile: string;
  /** QEMU's version (from its --version), once start() probed it. */
  version: string | null = null;
  /** The trace events this run logs (those of KEY_TRACE_EVENT etc. that this QEMU has). */
  traceEvents: string[] = [];
  readonly runtimeDir: string;
  /** Console and agent are TCP on 127.0.0.1 under record/replay (see start()), else unix sockets. */
  readonly sockets: { qmp: string; console: Endpoint; agent: Endpoint; replayQmp: string; vnc: string };
  /** Console bytes waiting for a recording VM's UART (RECORD_CONSOLE_BYTE_MS apart). */
  private consoleQueue: Buffer[] = [];
  private consolePump: NodeJS.Timeout | null = null;
  private child: ChildProcess | null = null;
  private qmp: QmpClient | null = null;
  private consoleSocket: net.Socket | null = null;
  private stderrTail: string[] = [];
  private stderrPartial = '';
  private stopRequested = false;
  /** Why the next STOP/RESUME event happens, when we asked for it (for the history). */
  private userAction: string | null = null;
  private guestShutdown = false;
  private exited: Promise<ExitInfo>;
  private resolveExited!: (e: ExitInfo) => void;

  constructor(private readonly opts: QemuSessionOptions) {
    super();
    this.runtimeDir = makePrivateDir('q-');
    this.sockets = {
      qmp: path.join(this.runtimeDir, 'qmp.sock'),
      console: path.join(this.runtimeDir, 'console.sock'),
      agent: path.join(this.runtimeDir, 'agent.sock'),
      replayQmp: path.join(this.runtimeDir, 'replay-qmp.sock'),
      vnc: path.join(this.runtimeDir, 'vnc.sock'),
    };
    this.logFile = path.join(opts.runDir, 'qemu.log');
    this.exited = new Promise((r) => (this.resolveExited = r));
  }

  /** The run's record/replay mode, null for an ordinary run. */
  get rrMode(): RecordReplay['mode'] | null {
    return this.opts.rr?.mode ?? null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get qmpClient(): QmpClient {
    if (!this.qmp || !this.qmp.isOpen) throw new BenchtopError('invalid-state', 'the VM is not running');
    return this.qmp;
  }

  /** Spawn QEMU, connect QMP and the console, and let the guest run. */
  async start(): Promise<void> {
    const { board, image } = this.opts;
    for (const [what, file] of [
      ['kernel', image.kernel],
      ['initrd', image.initrd],
      ['SD card image', image.sd],
    ] as const) {
      if (!fs.existsSync(file)) throw new BenchtopError('missing-file', `${what} file not found: ${file}`);
    }
    const caps = await assertBoardSupported(board, this.opts.envPath);
    this.version = caps.version;
    // The moment each key enters QEMU's input layer, for the replayer's reports (replay/).
    this.traceEvents = [KEY_TRACE_EVENT].filter((e) => caps.traceEvents.has(e));
    this.gdbPort = await freeLoopbackPort();
    this.agentDataPort = hasUserNet(board.netArgs) ? await freeLoopbackPort() : null;
    if (this.opts.rr) {
      // QEMU 7.2 records a failed write on a unix socket whose reader fell behind, and the
      // replay then aborts ("Missing character write event"); TCP's buffer never refuses.
      this.sockets.console = tcpEndpoint(await freeLoopbackPort());
      this.sockets.agent = tcpEndpoint(await freeLoopbackPort());
    }
    fs.mkdirSync(this.opts.runDir, { recursive: true });
    const args = buildQemuArgs({
      board,
      image,
      sockets: this.sockets,
      gdbPort: this.gdbPort,
      logFile: this.logFile,
      traceEvents: this.traceEvents,
      extraArgs: this.opts.extraArgs,
      inputDevice: this.opts.inputDevice,
      agentDataPort: this.agentDataPort ?? undefined,
      rr: this.opts.rr,
    });
    const child = spawn(caps.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => this.onStderr(s));
    child.once('error', (err) => this.onExit(null, null, err.message));
    child.once('exit', (code, signal) => this.onExit(code, signal));

    const timeoutMs = this.opts.startTimeoutMs ?? 15_000;
    try {
      this.qmp = await QmpClient.connect(this.sockets.qmp, { timeoutMs, isAlive: () => this.child?.exitCode === null && this.child.signalCode === null });
      this.qmp.on('event', (e) => this.onQmpEvent(e));
      this.consoleSocket = await connectSocket(this.sockets.console, timeoutMs);
      this.consoleSocket.on('data', (b) => this.emit('console', b));
      this.consoleSocket.on('error', () => undefined);
      await this.qmp.execute('cont');
    } catch (err) {
      if (this.state === 'crashed' || this.state === 'stopped') {
        const tail = this.stderrTail.join('\n');
        throw new BenchtopError('internal', `QEMU exited during start-up${tail ? `: ${tail}` : ''}`);
      }
      await this.stop();
      throw err;
    }
    const rr = this.opts.rr ? `, ${this.opts.rr.mode === 'record' ? 'recording' : 'replaying'} (QEMU record/replay)` : '';
    if (this.opts.rr?.mode === 'replay') this.watchReplay();
    this.setState('running', `QEMU ${caps.version} pid ${child.pid}, gdbstub 127.0.0.1:${this.gdbPort}${rr}`);
  }

  writeConsole(data: string | Uint8Array): void {
    if (!this.consoleSocket || this.consoleSocket.destroyed) throw new BenchtopError('invalid-state', 'the VM console is not connected');
    if (this.opts.rr?.mode === 'replay') {
      throw new BenchtopError('invalid-state', 'this session reproduces a recording: its console input comes from the recording');
    }
    if (this.opts.rr?.mode === 'record') {
      this.consoleQueue.push(Buffer.from(data));
      this.pumpConsole();
      return;
    }
    this.consoleSocket.write(data);
  }

  private replayWatch: NodeJS.Timeout | null = null;

  /**
   * Poll `query-replay`; an icount that stands still for REPLAY_FROZEN_MS while the VM runs is a
   * divergence: say so and stop the VM (it would wait forever).
   */
  private watchReplay(): void {
    const watch = new IcountWatch(REPLAY_FROZEN_MS);
    const poll = async () => {
      this.replayWatch = null;
      if (!this.qmp?.isOpen || this.state === 'stopping' || this.state === 'stopped' || this.state === 'crashed') return;
      let icount: number | null = null;
      try {
        const r = (await this.qmp.execute('query-replay')) as { icount?: number };
        if (typeof r.icount === 'number') icount = r.icount;
      } catch {
        /* QMP busy or closing: the next poll or the exit decides */
      }
      if (watch.observe(icount, this.state === 'running', Date.now())) {
        const at = watch.last === null ? 'unknown' : watch.last.toLocaleString('en-US');
        this.emit('diverged', `the reproduction left its recording: no instruction executed for ${REPLAY_FROZEN_MS / 1000} s at icount ${at} (the recording's files or QEMU differ from those it was made with)`);
        void this.stop();
        return;
      }
      this.replayWatch = setTimeout(() => void poll(), REPLAY_POLL_MS);
    };
    this.replayWatch = setTimeout(() => void poll(), REPLAY_POLL_MS);
  }

  private pumpConsole(): void {
    if (this.consolePump) return;
    const next = () => {
      const head = this.consoleQueue[0];
      if (!head || !this.consoleSocket || this.consoleSocket.destroyed) {
        this.consolePump = null;
        this.consoleQueue = []; // done, or the VM is gone and nothing can take them
        return;
      }
      this.consoleSocket.write(head.subarray(0, 1));
      if (head.length > 1) this.consoleQueue[0] = head.subarray(1);
      else this.consoleQueue.shift();
      this.consolePump = setTimeout(next, RECORD_CONSOLE_BYTE_MS);
    };
    next();
  }

  async pause(): Promise<void> {
    this.requireState(['running'], 'pause');
    this.userAction = 'paused by the user';
    await this.qmpClient.execute('stop');
    // The STOP event sets the state; set it here too so the caller sees it when we return.
    this.setState('paused', 'paused by the user');
  }

  async resume(): Promise<void> {
    this.requireState(['paused'], 'resume');
    this.userAction = 'resumed by the user';
    await this.qmpClient.execute('cont');
    this.setState('running', 'resumed by the user');
  }

  async reset(): Promise<void> {
    this.requireState(['running', 'paused'], 'reset');
    await this.qmpClient.execute('system_reset');
    if (this.state === 'paused') await this.resume();
  }

  /**
   * Graceful quit over QMP; SIGTERM then SIGKILL if QEMU does not go in time. A recording gets
   * longer: QEMU writes its log's header at exit, and a killed recording cannot be replayed.
   */
  async stop(timeoutMs = this.opts.rr?.mode === 'record' ? 15_000 : 3000): Promise<ExitInfo> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.stopRequested = true;
    if (this.state !== 'stopped' && this.state !== 'crashed') this.setState('stopping', 'stop requested');
    try {
      await this.qmp?.execute('quit', undefined, { timeoutMs: 1000 });
    } catch {
      /* QEMU may close the socket before replying, or QMP may be gone: the signals below cover it */
    }
    const child = this.child;
    const gone = await Promise.race([this.exited.then(() => true), delay(timeoutMs).then(() => false)]);
    if (!gone) {
      child.kill('SIGTERM');
      const gone2 = await Promise.race([this.exited.then(() => true), delay(this.opts.rr?.mode === 'record' ? 10_000 : 1000).then(() => false)]);
      if (!gone2) child.kill('SIGKILL');
    }
    return this.exited;
  }

  /** Resolves when QEMU has exited, however it ended. */
  waitExit(): Promise<ExitInfo> {
    return this.exited;
  }

  private requireState(ok: SessionState[], action: string): void {
    if (!ok.includes(this.state)) throw new BenchtopError('invalid-state', `cannot ${action} a VM that is ${this.state}`);
  }

  private setState(s: SessionState, detail: string): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s, detail);
  }

  private onQmpEvent(e: QmpEvent): void {
    this.emit('qmpEvent', e);
    // Pauses the user did not ask for (a gdb attached to the gdbstub, a guest panic) show too.
    const why = this.userAction;
    this.userAction = null;
    if (e.event === 'STOP' && this.state === 'running') this.setState('paused', why ?? 'VM stopped (QMP STOP, not asked by Benchtop)');
    else if (e.event === 'RESUME' && this.state === 'paused') this.setState('running', why ?? 'VM resumed (QMP RESUME, not asked by Benchtop)');
    else if (e.event === 'SHUTDOWN' && e.data.guest === true) this.guestShutdown = true;
  }

  private onStderr(s: string): void {
    const text = this.stderrPartial + s;
    const lines = text.split('\n');
    this.stderrPartial = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) this.stderrTail.push(l);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.splice(0, this.stderrTail.length - STDERR_TAIL_LINES);
  }

  private exitHandled = false;
  private onExit(code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void {
    if (this.exitHandled) return;
    this.exitHandled = true;
    if (this.stderrPartial.trim()) this.stderrTail.push(this.stderrPartial);
    if (spawnError) this.stderrTail.push(spawnError);
    // A replay ends by itself where its recording ended (QEMU replays the recorded quit, exit 0).
    const expected = this.stopRequested || this.guestShutdown || (this.opts.rr?.mode === 'replay' && code === 0);
    const info: ExitInfo = { code, signal, stderrTail: this.stderrTail.slice() };
    this.qmp?.close();
    if (this.consolePump) clearTimeout(this.consolePump);
    if (this.replayWatch) clearTimeout(this.replayWatch);
    this.consolePump = null;
    this.consoleQueue = [];
    this.consoleSocket?.destroy();
    fs.rm(this.runtimeDir, { recursive: true, force: true }, () => undefined);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    this.setState(expected ? 'stopped' : 'crashed', expected ? `QEMU exited (${how})` : `QEMU exited unexpectedly (${how})`);
    this.emit('exit', { ...info, expected });
    this.resolveExited(info);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function connectSocket(p: Endpoint, timeoutMs: number): Promise<net.Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.createConnection(connectOptsOf(p));
        s.once('connect', () => {
          s.removeAllListeners('error');
          resolve(s);
        });
        s.once('error', reject);
      });
    } catch (err) {
      if (Date.now() > deadline) throw new BenchtopError('timeout', `cannot connect to ${p}: ${(err as Error).message}`);
      await delay(20);
    }
  }
}
