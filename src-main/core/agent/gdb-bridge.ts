/**
 * Debuggees: a gdbserver in the guest, started through the agent (GDB_START), its RSP relayed
 * over the agent link. Each debuggee has
 *   - a TCP bridge on 127.0.0.1 (a port the OS picks): an outside `gdb-multiarch` connects with
 *     `target remote 127.0.0.1:PORT` and its bytes are relayed both ways untouched, and
 *   - an RspClient for typed debug operations (the UI's Debug pane), used while no outside gdb
 *     is connected.
 * Everything else on the agent link (other tools, other debuggees) keeps working whatever the
 * debuggee does: a `continue` into an endless loop only leaves this gdbserver's pipe quiet.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { AgentChannel, GdbRelay, GdbStartSpec, ProcExit } from './client';
import { RspClient } from './rsp-client';
import type { StopReply } from './rsp-codec';

export type DebuggeeState = 'starting' | 'stopped' | 'running' | 'exited';

export interface DebuggeeInfo {
  id: number;
  /** The debuggee's pid in the guest. */
  pid: number;
  gdbserverPid: number;
  /** 127.0.0.1 port of the bridge for an outside gdb. */
  port: number;
  mode: 'spawn' | 'attach';
  argv: string[];
  state: DebuggeeState;
  /** An outside gdb is connected to the bridge. */
  gdbAttached: boolean;
  startedAt: number;
}

export interface DebuggeeEvents {
  state: [DebuggeeInfo];
  stop: [StopReply];
  /** gdbserver's stderr (in stdio mode also the debuggee's output). */
  output: [Buffer];
  ended: [ProcExit | null];
}

let nextDebuggeeId = 1;

export class Debuggee extends EventEmitter<DebuggeeEvents> {
  readonly id = nextDebuggeeId++;
  /** The typed client (replaced by a fresh one after an outside gdb leaves). */
  rsp: RspClient;
  state: DebuggeeState = 'starting';
  port = 0;
  private relay!: GdbRelay;
  private server: net.Server | null = null;
  private outside: net.Socket | null = null;
  private pendingWrites = 0;
  private handshaken: Promise<StopReply> | null = null;
  private readonly startedAt = Date.now();
  private ended = false;

  private constructor(
    readonly channel: AgentChannel,
    readonly spec: GdbStartSpec,
  ) {
    super();
    this.rsp = new RspClient({
      write: (b) => void this.send(b),
      onStop: (s) => this.onStop(s),
    });
  }

  /** Start gdbserver (spawn a program under it, or attach to a pid) and open the bridge. */
  static async start(channel: AgentChannel, spec: GdbStartSpec, o: { timeoutMs?: number } = {}): Promise<Debuggee> {
    const d = new Debuggee(channel, spec);
    d.relay = await channel.gdbStart(spec, {
      timeoutMs: o.timeoutMs,
      onData: (b) => d.fromGdbserver(b),
      onStderr: (b) => d.emit('output', b),
    });
    d.relay.ended.then((e) => d.onEnded(e));
    d.state = 'stopped';
    try {
      await d.listen();
    } catch (err) {
      await d.relay.stop().catch(() => undefined);
      throw err;
    }
    d.publish();
    return d;
  }

  get pid(): number {
    return this.relay.pid;
  }

  info(): DebuggeeInfo {
    return {
      id: this.id,
      pid: this.relay.pid,
      gdbserverPid: this.relay.gdbserverPid,
      port: this.port,
      mode: 'spawn' in this.spec ? 'spawn' : 'attach',
      argv: 'spawn' in this.spec ? this.spec.spawn : [String(this.spec.attach)],
      state: this.state,
      gdbAttached: this.outside !== null,
      startedAt: this.startedAt,
    };
  }

  /** The typed client, after its handshake (qSupported, `?`). Refused while an outside gdb is attached. */
  async debug(): Promise<RspClient> {
    if (this.outside) throw new Error(`debuggee ${this.id}: an outside gdb is attached on port ${this.port}`);
    if (this.ended) throw new Error(`debuggee ${this.id} has ended`);
    this.handshaken ??= this.rsp.handshake();
    await this.handshaken;
    return this.rsp;
  }

  /** Continue (typed); resolves with the stop reply. */
  async cont(): Promise<StopReply> {
    const rsp = await this.debug();
    const p = rsp.cont();
    this.setState('running');
    const stop = await p;
    this.onStop(stop);
    return stop;
  }

  /** Interrupt a running debuggee (typed); resolves with the stop reply. */
  async interrupt(): Promise<StopReply> {
    const rsp = await this.debug();
    const stop = await rsp.interrupt();
    this.onStop(stop);
    return stop;
  }

  /** Kill gdbserver (and the debuggee if it was spawned) and close the bridge. */
  async stop(): Promise<void> {
    this.closeBridge();
    if (!this.ended) await this.relay.stop().catch(() => undefined);
  }

  /** Resolves when gdbserver has exited. */
  whenEnded(): Promise<ProcExit | null> {
    return this.relay.ended;
  }

  private send(b: Buffer): Promise<void> {
    this.pendingWrites++;
    if (this.pendingWrites > 16) this.outside?.pause();
    return this.relay
      .write(b)
      .catch(() => undefined)
      .finally(() => {
        this.pendingWrites--;
        if (this.pendingWrites < 8) this.outside?.resume();
      });
  }

  private fromGdbserver(b: Buffer): void {
    if (this.outside) {
      this.outside.write(b);
      // Keep track of the run state for the UI from what passes by.
      if (b.includes(0x24)) this.sniff(b);
    } else this.rsp.receive(b);
  }

  private sniff(b: Buffer): void {
    // Cheap: a stop reply packet starts with $T, $S, $W or $X.
    const s = b.toString('latin1');
    if (/\$[TS][0-9a-fA-F]{2}/.test(s)) this.setState('stopped');
    else if (/\$[WX][0-9a-fA-F]{2}/.test(s)) this.setState('exited');
  }

  private onStop(s: StopReply): void {
    this.emit('stop', s);
    this.setState(s.kind === 'exited' || s.kind === 'terminated' ? 'exited' : 'stopped');
  }

  private setState(s: DebuggeeState): void {
    if (this.state === s || this.state === 'exited') return;
    this.state = s;
    this.publish();
  }

  private publish(): void {
    this.emit('state', this.info());
  }

  private onEnded(e: ProcExit | null): void {
    if (this.ended) return;
    this.ended = true;
    this.rsp.close(new Error(`gdbserver of debuggee ${this.id} ended`));
    this.closeBridge();
    this.state = 'exited';
    this.publish();
    this.emit('ended', e);
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((sock) => this.onConnection(sock));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        server.on('error', () => undefined);
        const addr = server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : 0;
        this.server = server;
        resolve();
      });
    });
  }

  private onConnection(sock: net.Socket): void {
    if (this.outside || this.ended) {
      // One debugger at a time (gdbserver speaks to one).
      sock.end();
      sock.destroy();
      return;
    }
    sock.setNoDelay(true);
    this.outside = sock;
    // A typed command that was waiting will not get its answer now.
    this.rsp.close(new Error(`an outside gdb attached to debuggee ${this.id}`));
    sock.on('data', (b) => void this.send(b));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (this.outside !== sock) return;
      this.outside = null;
      // Back to the typed client: a fresh one (the old one was closed), handshaken on demand.
      const fresh = new RspClient({ write: (b) => void this.send(b), onStop: (s) => this.onStop(s) });
      this.rsp = fresh;
      this.handshaken = null;
      this.publish();
    });
    this.publish();
  }

  private closeBridge(): void {
    this.outside?.destroy();
    this.outside = null;
    this.server?.close();
    this.server = null;
  }
}
