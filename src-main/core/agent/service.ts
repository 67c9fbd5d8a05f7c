/**
 * AgentService: one AgentBroker per running session, on the session's agent socket (the
 * guest's second UART). It follows the sessions on the event bus (`session.changed`): a
 * session that reaches `running` gets a broker, one that stops loses it. Host tools get their
 * channel from the broker; the contract's files/proc/debug methods (./api.ts) go through here
 * and publish `agent.status`, `proc.output`, `proc.exit`, `agent.event`, `debug.changed`.
 */
import { StringDecoder } from 'node:string_decoder';
import type { AgentStatus, DebugInfo, ProcInfo } from '../../../src-shared/features/agent';
import { BenchtopError } from '../../../src-shared/errors';
import type { EventBus } from '../events';
import type { SessionService } from '../sessions/service';
import { AgentBroker, connectEndpoint } from './broker';
import { AgentError, type AgentChannel, type AgentStatusSnapshot, type GdbStartSpec, type GuestSignalName, GuestSignal } from './client';
import { AGENT_DATA_GUEST_PORT } from './data-channel';
import { Debuggee } from './gdb-bridge';

const MAX_PROCS_KEPT = 100;

interface ProcRecord {
  info: ProcInfo;
  decoders: { stdout: StringDecoder; stderr: StringDecoder };
}

export interface SessionAgent {
  sessionId: string;
  broker: AgentBroker;
  procs: Map<number, ProcRecord>;
  debuggees: Map<number, Debuggee>;
}

/**
 * Why a deterministic session has no agent: while QEMU records, host → guest bytes on the UART
 * get through only at ~8 bytes / 100 ms (docs/deterministic-mode.md), far too slow for the link's
 * acknowledgements; a replay takes no input at all.
 */
const OFF_IN_DETERMINISTIC_MODE = 'the agent is off in deterministic mode (QEMU record/replay takes host → guest bytes on the UART only at ~80 B/s)';

export class AgentService {
  private readonly live = new Map<string, SessionAgent>();
  private readonly offs: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly deps: {
      bus: EventBus;
      sessions: SessionService;
      /** Per-request timeout on the agent link (default 15 s). */
      requestTimeoutMs?: number;
    },
  ) {
    this.offs.push(
      deps.bus.on('session.changed', (s) => {
        if (s.state === 'running' || s.state === 'paused') this.ensure(s.id);
        else if (s.state === 'stopping' || s.state === 'stopped' || s.state === 'crashed' || s.state === 'created') this.drop(s.id);
      }),
      deps.bus.on('session.removed', ({ id }) => this.drop(id)),
    );
  }

  /** The session's broker (the session must be running). */
  broker(id: string): AgentBroker {
    return this.require(id).broker;
  }

  /** A host tool's channel on the session's agent link. */
  channel(id: string, tool: string): AgentChannel {
    return this.require(id).broker.channel(tool);
  }

  status(id: string): AgentStatus {
    const a = this.live.get(id);
    if (!a) {
      const session = this.deps.sessions.get(id); // not-found for an unknown session
      const off = session.determinism.mode === 'off' ? null : OFF_IN_DETERMINISTIC_MODE;
      return { sessionId: id, state: 'none', capabilities: {}, connectedAt: null, resets: 0, lastReset: off, stats: { framesSent: 0, framesReceived: 0, retransmits: 0, timeouts: 0, bytesSkipped: 0 } };
    }
    return toStatus(id, a.broker.status());
  }

  /** Resolves once the session's agent answered the handshake. */
  async waitReady(id: string, timeoutMs = 30_000): Promise<void> {
    await this.require(id).broker.ready(timeoutMs);
  }

  async ping(id: string, timeoutMs = 5000): Promise<{ uptimeMs: number; rttMs: number }> {
    return this.require(id).broker.control.ping({ timeoutMs });
  }

  files(id: string): AgentChannel {
    return this.channel(id, 'files');
  }

  // ---- processes ----

  async spawn(id: string, argv: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<ProcInfo> {
    const a = this.require(id);
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    let pid = 0;
    const early: { stream: 'stdout' | 'stderr'; data: Buffer }[] = [];
    const proc = await a.broker.channel('proc').spawn(argv, {
      cwd: o.cwd,
      env: o.env,
      onOutput: (stream, data) => {
        if (!pid) early.push({ stream, data });
        else this.output(id, pid, decoders, stream, data);
      },
    });
    pid = proc.pid;
    const rec: ProcRecord = {
      info: { sessionId: id, pid, argv, cwd: o.cwd ?? '/', state: 'running', startedAt: Date.now(), endedAt: null, exit: null },
      decoders,
    };
    a.procs.set(pid, rec);
    while (a.procs.size > MAX_PROCS_KEPT) {
      const oldest = [...a.procs.values()].find((p) => p.info.state === 'exited' || p.info.state === 'lost');
      if (!oldest) break;
      a.procs.delete(oldest.info.pid);
    }
    for (const e of early) this.output(id, pid, decoders, e.stream, e.data);
    proc.exited.then(
      (exit) => {
        for (const s of ['stdout', 'stderr'] as const) {
          const rest = decoders[s].end();
          if (rest) this.deps.bus.emit('proc.output', { sessionId: id, pid, stream: s, data: rest });
        }
        rec.info = { ...rec.info, state: 'exited', endedAt: Date.now(), exit };
        this.deps.bus.emit('proc.exit', { sessionId: id, pid, how: exit.how, code: exit.code });
      },
      () => {
        rec.info = { ...rec.info, state: 'lost', endedAt: Date.now() };
        this.deps.bus.emit('proc.exit', { sessionId: id, pid, how: 'lost', code: -1 });
      },
    );
    return rec.info;
  }

  private output(id: string, pid: number, decoders: ProcRecord['decoders'], stream: 'stdout' | 'stderr', data: Buffer): void {
    const text = decoders[stream].write(data);
    if (text) this.deps.bus.emit('proc.output', { sessionId: id, pid, stream, data: text });
  }

  async signal(id: string, pid: number, sig: GuestSignalName | number): Promise<void> {
    const a = this.require(id);
    await a.broker.channel('proc').signal(pid, sig);
    const rec = a.procs.get(pid);
    const signo = typeof sig === 'number' ? sig : GuestSignal[sig];
    if (rec && rec.info.state !== 'exited' && rec.info.state !== 'lost') {
      if (signo === GuestSignal.SIGSTOP || signo === GuestSignal.SIGTSTP) rec.info = { ...rec.info, state: 'stopped' };
      else if (signo === GuestSignal.SIGCONT) rec.info = { ...rec.info, state: 'running' };
    }
  }

  async stdin(id: string, pid: number, data: string, close: boolean): Promise<void> {
    const ch = this.require(id).broker.channel('proc');
    if (data) await ch.stdin(pid, Buffer.from(data, 'utf8'));
    if (close) await ch.stdin(pid, Buffer.alloc(0));
  }

  procs(id: string): ProcInfo[] {
    const a = this.live.get(id);
    if (!a) {
      this.deps.sessions.get(id);
      return [];
    }
    return [...a.procs.values()].map((p) => p.info).sort((x, y) => x.startedAt - y.startedAt);
  }

  // ---- debuggees ----

  async debugStart(id: string, spec: GdbStartSpec): Promise<Debuggee> {
    const a = this.require(id);
    // Each debuggee on its own channel: stopping it (or its channel going away) touches nothing else.
    const tool = `debug-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const ch = a.broker.channel(tool);
    let d: Debuggee;
    try {
      d = await Debuggee.start(ch, spec);
    } catch (err) {
      ch.disconnect().catch(() => undefined);
      throw err;
    }
    a.debuggees.set(d.id, d);
    const publish = () => this.deps.bus.emit('debug.changed', toDebugInfo(id, d));
    d.on('state', publish);
    d.on('ended', () => {
      publish();
      ch.disconnect().catch(() => undefined);
    });
    publish();
    return d;
  }

  debuggee(id: string, debugId: number): Debuggee {
    const d = this.require(id).debuggees.get(debugId);
    if (!d) throw new BenchtopError('not-found', `no debuggee ${debugId} in session ${id}`);
    return d;
  }

  async debugStop(id: string, debugId: number): Promise<void> {
    const a = this.require(id);
    const d = this.debuggee(id, debugId);
    await d.stop();
    a.debuggees.delete(debugId);
  }

  debugList(id: string): DebugInfo[] {
    const a = this.live.get(id);
    if (!a) {
      this.deps.sessions.get(id);
      return [];
    }
    return [...a.debuggees.values()].map((d) => toDebugInfo(id, d));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.offs) off();
    for (const id of [...this.live.keys()]) this.drop(id);
  }

  // ---- lifecycle ----

  private ensure(id: string): void {
    if (this.closed || this.live.has(id)) return;
    let endpoint: string;
    let dataPort: number | null;
    try {
      const q = this.deps.sessions.qemu(id);
      if (q.rrMode) return; // OFF_IN_DETERMINISTIC_MODE
      // A unix socket path, or `tcp:127.0.0.1:PORT`.
      endpoint = q.sockets.agent;
      dataPort = q.agentDataPort;
    } catch {
      return; // not live (yet)
    }
    const broker = new AgentBroker({
      connect: () => connectEndpoint(endpoint, 5000),
      client: {
        requestTimeoutMs: this.deps.requestTimeoutMs,
        // QEMU forwards 127.0.0.1:dataPort to the guest's 7777 only: another guest port is unreachable.
        dataTarget: (guestPort) => (dataPort && guestPort === AGENT_DATA_GUEST_PORT ? { host: '127.0.0.1', port: dataPort } : null),
      },
      eventsTool: 'events',
    });
    const a: SessionAgent = { sessionId: id, broker, procs: new Map(), debuggees: new Map() };
    this.live.set(id, a);
    broker.on('status', (s) => this.deps.bus.emit('agent.status', toStatus(id, s)));
    broker.on('event', (e) => this.deps.bus.emit('agent.event', { sessionId: id, kind: e.kind, text: e.text, at: Date.now() }));
    broker.on('reset', () => {
      // The agent killed everything of every channel: processes are gone, debuggees too.
      for (const d of a.debuggees.values()) void d.stop();
      a.debuggees.clear();
    });
    broker.open().catch((err: Error) => {
      if (this.live.get(id) !== a) return;
      this.live.delete(id);
      broker.close();
      this.deps.bus.emit('agent.status', { ...this.status(id), state: 'closed', lastReset: `cannot connect to the agent socket: ${err.message}` });
    });
  }

  private drop(id: string): void {
    const a = this.live.get(id);
    if (!a) return;
    this.live.delete(id);
    for (const d of a.debuggees.values()) void d.stop();
    a.broker.close();
    for (const p of a.procs.values()) {
      if (p.info.state === 'running' || p.info.state === 'stopped') p.info = { ...p.info, state: 'lost', endedAt: Date.now() };
    }
  }

  private require(id: string): SessionAgent {
    const a = this.live.get(id);
    if (!a) {
      const s = this.deps.sessions.get(id);
      throw new BenchtopError('invalid-state', `session ${id} is not running (state: ${s.state}): no agent link`);
    }
    return a;
  }
}

export function toStatus(sessionId: string, s: AgentStatusSnapshot): AgentStatus {
  return {
    sessionId,
    state: s.state,
    capabilities: s.capabilities,
    connectedAt: s.connectedAt === null ? null : Math.round(performance.timeOrigin + s.connectedAt),
    resets: s.resets,
    lastReset: s.lastReset,
    stats: { framesSent: s.stats.framesSent, framesReceived: s.stats.framesReceived, retransmits: s.stats.retransmits, timeouts: s.stats.timeouts, bytesSkipped: s.stats.bytesSkipped },
  };
}

export function toDebugInfo(sessionId: string, d: Debuggee): DebugInfo {
  const i = d.info();
  return { sessionId, debugId: i.id, pid: i.pid, gdbserverPid: i.gdbserverPid, port: i.port, mode: i.mode, argv: i.argv, state: i.state, gdbAttached: i.gdbAttached, startedAt: i.startedAt };
}

export { AgentError };
