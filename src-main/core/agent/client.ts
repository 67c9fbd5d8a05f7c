/**
 * AgentClient: the host end of the target agent protocol (docs/agent-protocol.md §3–4) on top
 * of the link layer. Request ids, per-request timeouts, RESP_PART aggregation, streams,
 * EVENTs, channels (one per host tool, re-opened after a link reset), and the typed
 * operations (ping, list, stat, get, put, remove, spawn, signal, stdin, gdb relay, events).
 *
 * A link reset (the guest rebooted and its agent said HELLO, or the host handshook again)
 * fails every pending request and open stream with an AgentError of reason 'link-reset'
 * ("agent link reset"); the link answers the HELLO by itself, so the client is usable again
 * right away, and channels CONNECT again on their next request.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type net from 'node:net';
import { BenchtopError, type ErrorCode } from '../../../src-shared/errors';
import { DataDirection, DataSetupError, openDataConnection, parseToken, type DataTarget } from './data-channel';
import { crc32, decodeFields, encodeFields, FrameType, MAX_PAYLOAD, type FieldInput } from './frame-codec';
import { Link, LinkDownError, realClock, type Clock, type LinkOptions, type LinkStats } from './link';

export const Op = {
  PING: 0x01,
  CONNECT: 0x02,
  DISCONNECT: 0x03,
  LIST: 0x10,
  STAT: 0x11,
  GET: 0x12,
  PUT_BEGIN: 0x13,
  PUT_DATA: 0x14,
  PUT_END: 0x15,
  PUT_ABORT: 0x16,
  REMOVE: 0x17,
  SPAWN: 0x20,
  SIGNAL: 0x21,
  STDIN: 0x22,
  GDB_START: 0x30,
  GDB_WRITE: 0x31,
  GDB_STOP: 0x32,
  EVENTS: 0x40,
  /** Key events from the guest's /dev/input/event* as EVENTs of kind `input` (./input-event.ts). */
  INPUT_WATCH: 0x41,
  /** Resource monitor (spec "Monitor"): records stream as kind MONITOR. */
  MON_START: 0x50,
  MON_CONFIG: 0x51,
  MON_STOP: 0x52,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

export const StreamKind = { FILE: 0, STDOUT: 1, STDERR: 2, GDB: 3, MONITOR: 4 } as const;

/** Signal numbers on ARM Linux (the guest), which is what SIGNAL takes. */
export const GuestSignal = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20 } as const;
export type GuestSignalName = keyof typeof GuestSignal;

export type AgentErrorReason = 'agent' | 'link-reset' | 'timeout' | 'closed' | 'protocol' | 'aborted' | 'data-channel';

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 9: 'EBADF', 10: 'ECHILD', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES',
  16: 'EBUSY', 17: 'EEXIST', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 24: 'EMFILE', 27: 'EFBIG', 28: 'ENOSPC', 30: 'EROFS',
  38: 'ENOSYS', 39: 'ENOTEMPTY', 71: 'EPROTO', 107: 'ENOTCONN', 110: 'ETIMEDOUT',
};

export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/** An error from the agent (ERR frame) or from the way to it (timeout, link reset, closed). */
export class AgentError extends BenchtopError {
  constructor(
    message: string,
    readonly reason: AgentErrorReason,
    /** The guest's errno for reason 'agent'. */
    readonly errno: number | null = null,
  ) {
    super(codeFor(reason, errno), message);
    this.name = 'AgentError';
  }
}

/**
 * A data-channel transfer failed (docs/agent-protocol.md section 4d). `setup`: no connection
 * could be made, or the agent refused it — nothing moved. `transfer`: the connection broke
 * part-way (the agent removed its temp file: nothing is left at the target name).
 */
export class DataChannelError extends AgentError {
  constructor(
    message: string,
    readonly phase: 'setup' | 'transfer',
  ) {
    super(message, 'data-channel');
    this.name = 'DataChannelError';
  }
}

/** Files this small go over the link even when a data channel is there (its setup costs more). */
export const DATA_CHANNEL_MIN_BYTES = 64 * 1024;
/** Bytes per socket write / file read on the data channel. */
const DATA_CHUNK = 64 * 1024;

function codeFor(reason: AgentErrorReason, errno: number | null): ErrorCode {
  if (reason === 'timeout') return 'timeout';
  if (reason === 'link-reset' || reason === 'closed') return 'invalid-state';
  if (reason === 'aborted') return 'invalid-state';
  if (reason === 'agent' && (errno === 2 || errno === 3)) return 'not-found';
  if (reason === 'agent' && (errno === 22 || errno === 20 || errno === 21)) return 'bad-request';
  return 'internal';
}

export interface FileEntry {
  type: 'f' | 'd' | 'l' | 'c' | 'b' | 'p' | 's' | '?';
  /** Permission bits (07777). */
  mode: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  name: string;
}

export function parseEntry(b: Buffer): FileEntry | null {
  const s = b.toString('utf8');
  const parts = s.split('\t');
  if (parts.length < 5) return null;
  const [type, mode, size, mtime] = parts as [string, string, string, string];
  const name = parts.slice(4).join('\t');
  if (!/^[fdlcbps?]$/.test(type) || !/^[0-7]+$/.test(mode) || !/^\d+$/.test(size) || !/^-?\d+$/.test(mtime)) return null;
  return { type: type as FileEntry['type'], mode: parseInt(mode, 8), size: Number(size), mtime: Number(mtime), name };
}

export interface ProcExit {
  how: 'exit' | 'signal';
  /** Exit status, or the signal number. */
  code: number;
}

export interface AgentEventMessage {
  channel: number;
  kind: string;
  text: string;
}

export interface AgentStatusSnapshot {
  state: 'connecting' | 'connected' | 'closed';
  capabilities: Record<string, string>;
  epoch: number;
  /** performance.now() of the last handshake, null before the first. */
  connectedAt: number | null;
  resets: number;
  lastReset: string | null;
  stats: LinkStats;
}

export interface AgentClientEvents {
  /** The link came up (first handshake or after a reset). */
  up: [{ capabilities: Record<string, string>; epoch: number }];
  /** Every pending request failed; `reason` says why (e.g. the guest rebooted). */
  reset: [{ epoch: number; reason: string }];
  event: [AgentEventMessage];
  closed: [];
}

export interface AgentClientOptions {
  /**
   * Where the host reaches the agent's data channel (its HELLO's `data_port`, a guest port):
   * for QEMU the 127.0.0.1 port forwarded to it, null if none is. Without it every transfer
   * uses the link.
   */
  dataTarget?: (guestPort: number) => DataTarget | null;
  write: (bytes: Buffer) => void;
  clock?: Clock;
  /** Default per-request timeout (RESP or ERR must arrive within it). */
  requestTimeoutMs?: number;
  /** Capabilities text the host sends in its HELLO. */
  hostCapabilities?: string;
  link?: Partial<Omit<LinkOptions, 'write' | 'clock' | 'role' | 'capabilities'>>;
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface StreamSink {
  data(kind: number, data: Buffer): void;
  end(fields: Buffer[]): void;
  error(err: Error): void;
}

interface Pending {
  id: number;
  channel: number;
  op: number;
  epoch: number;
  fields: Buffer[];
  answered: boolean;
  resolve: (fields: Buffer[]) => void;
  reject: (err: Error) => void;
  timer: unknown;
  sink: StreamSink | null;
}

const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Op).map(([k, v]) => [v, k]));

export function parseCapabilities(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

const num = (b: Buffer | undefined): number => {
  const s = b?.toString('latin1') ?? '';
  return /^\d+$/.test(s) ? Number(s) : NaN;
};

export class AgentClient extends EventEmitter<AgentClientEvents> {
  readonly link: Link;
  readonly clock: Clock;
  capabilities: Record<string, string> = {};
  connectedAt: number | null = null;
  lastReset: string | null = null;
  resets = 0;
  private readonly requestTimeoutMs: number;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private wasUp = false;
  private upWaiters: { resolve: () => void; reject: (e: Error) => void; timer: unknown }[] = [];
  private readonly dataTargetFor: ((guestPort: number) => DataTarget | null) | null;
  /** Data-channel transfers that fell back to the link, and why the last one did. */
  dataFallbacks = 0;
  lastDataFallback: string | null = null;
  /** Channel 0 (always open). */
  readonly control: AgentChannel;

  constructor(opts: AgentClientOptions) {
    super();
    this.clock = opts.clock ?? realClock;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
    this.dataTargetFor = opts.dataTarget ?? null;
    this.link = new Link({
      ...opts.link,
      role: 'host',
      capabilities: opts.hostCapabilities ?? 'protocol=1\nhost=benchtop\n',
      write: opts.write,
      clock: this.clock,
    });
    this.link.on('message', (m) => this.onMessage(m.type, m.channel, m.requestId, m.payload));
    this.link.on('reset', ({ epoch, reason }) => this.onReset(epoch, reason));
    this.link.on('up', ({ epoch, peerCapabilities }) => {
      this.capabilities = parseCapabilities(peerCapabilities);
      this.connectedAt = this.clock.now();
      this.wasUp = true;
      for (const w of this.upWaiters.splice(0)) {
        this.clock.clearTimeout(w.timer);
        w.resolve();
      }
      this.emit('up', { capabilities: this.capabilities, epoch });
    });
    this.control = new AgentChannel(this, null);
  }

  get isUp(): boolean {
    return this.link.isUp;
  }
  get epoch(): number {
    return this.link.epoch;
  }

  /** Start the handshake (HELLO every 500 ms until the agent answers). */
  start(): void {
    this.link.start();
  }

  /** Bytes from the stream. */
  receive(chunk: Uint8Array): void {
    this.link.receive(chunk);
  }

  /** The stream was replaced (reconnected): handshake again on it. */
  restart(reason: string): void {
    this.link.handshake(reason);
  }

  status(): AgentStatusSnapshot {
    return {
      state: this.closed ? 'closed' : this.link.isUp ? 'connected' : 'connecting',
      capabilities: { ...this.capabilities },
      epoch: this.link.epoch,
      connectedAt: this.connectedAt,
      resets: this.resets,
      lastReset: this.lastReset,
      stats: { ...this.link.stats },
    };
  }

  /** Resolves when the link is up (at once if it is). */
  whenUp(timeoutMs = this.requestTimeoutMs): Promise<void> {
    if (this.closed) return Promise.reject(new AgentError('agent client closed', 'closed'));
    if (this.link.isUp) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        resolve,
        reject,
        timer: this.clock.setTimeout(() => {
          this.upWaiters = this.upWaiters.filter((x) => x !== w);
          reject(new AgentError(`the agent did not answer the handshake within ${timeoutMs} ms`, 'timeout'));
        }, timeoutMs),
      };
      this.upWaiters.push(w);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.link.close();
    this.failAll(new AgentError('agent client closed', 'closed'));
    for (const w of this.upWaiters.splice(0)) {
      this.clock.clearTimeout(w.timer);
      w.reject(new AgentError('agent client closed', 'closed'));
    }
    this.emit('closed');
  }

  /** The data channel's address, if the agent offers one and the host can reach it. */
  dataTarget(): DataTarget | null {
    const port = Number(this.capabilities.data_port);
    if (!this.dataTargetFor || !this.link.isUp || !Number.isInteger(port) || port <= 0 || port > 0xffff) return null;
    return this.dataTargetFor(port);
  }

  /** A channel for one host tool (CONNECT on first use, again after a link reset). */
  channel(tool: string): AgentChannel {
    return new AgentChannel(this, tool);
  }

  /**
   * Send a request and wait for its answer: the fields of every RESP_PART and of the final
   * RESP, in order. With `sink`, STREAM / STREAM_END frames of this request go there (and a
   * late ERR ends the stream).
   */
  async request(channel: number, op: number, fields: readonly FieldInput[], o: RequestOptions & { sink?: StreamSink; onId?: (id: number) => void } = {}): Promise<Buffer[]> {
    const timeoutMs = o.timeoutMs ?? this.requestTimeoutMs;
    if (!this.link.isUp) await this.whenUp(timeoutMs);
    const payload = Buffer.concat([Buffer.from([op]), encodeFields(fields)]);
    if (payload.length > MAX_PAYLOAD) throw new AgentError(`${OP_NAMES[op] ?? op} request of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`, 'protocol');
    if (o.signal?.aborted) throw new AgentError(`${OP_NAMES[op] ?? op} aborted`, 'aborted');
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    o.onId?.(id);
    return new Promise<Buffer[]>((resolve, reject) => {
      const p: Pending = {
        id,
        channel,
        op,
        epoch: this.link.epoch,
        fields: [],
        answered: false,
        resolve,
        reject,
        sink: o.sink ?? null,
        timer: this.clock.setTimeout(() => {
          if (p.answered) return;
          this.pending.delete(id);
          reject(new AgentError(`${OP_NAMES[op] ?? op}: no answer from the agent within ${timeoutMs} ms`, 'timeout'));
          p.sink?.error(new AgentError(`${OP_NAMES[op] ?? op}: timed out`, 'timeout'));
        }, timeoutMs),
      };
      this.pending.set(id, p);
      try {
        this.link.send({ type: FrameType.REQ, channel, requestId: id, payload });
      } catch (err) {
        this.pending.delete(id);
        this.clock.clearTimeout(p.timer);
        reject(err instanceof LinkDownError ? new AgentError(err.message, 'link-reset') : err);
      }
    });
  }

  /** Stop routing a stream (the caller lost interest); frames for it are dropped. */
  forget(requestId: number): void {
    const p = this.pending.get(requestId);
    if (p) this.clock.clearTimeout(p.timer);
    this.pending.delete(requestId);
  }

  private onMessage(type: number, channel: number, requestId: number, payload: Buffer): void {
    if (type === FrameType.EVENT) {
      const f = decodeFields(payload);
      if (f && f.length >= 1) this.emit('event', { channel, kind: f[0]!.toString('utf8'), text: (f[1] ?? Buffer.alloc(0)).toString('utf8') });
      return;
    }
    const p = this.pending.get(requestId);
    if (!p) return; // timed out, forgotten, or of an earlier epoch
    switch (type) {
      case FrameType.RESP_PART:
      case FrameType.RESP: {
        const f = decodeFields(payload);
        if (!f) {
          this.finish(p, new AgentError(`${OP_NAMES[p.op] ?? p.op}: malformed answer from the agent`, 'protocol'));
          return;
        }
        p.fields.push(...f);
        if (type === FrameType.RESP_PART) return;
        if (p.answered) return; // a second RESP: ignore
        p.answered = true;
        this.clock.clearTimeout(p.timer);
        if (!p.sink) this.pending.delete(p.id);
        p.resolve(p.fields);
        return;
      }
      case FrameType.ERR: {
        const f = decodeFields(payload) ?? [];
        const errno = num(f[0]);
        const msg = (f[1] ?? Buffer.alloc(0)).toString('utf8');
        const err = new AgentError(`${OP_NAMES[p.op] ?? p.op}: ${msg || 'failed'}${Number.isFinite(errno) ? ` (${errnoName(errno)})` : ''}`, 'agent', Number.isFinite(errno) ? errno : null);
        this.finish(p, err);
        return;
      }
      case FrameType.STREAM: {
        if (payload.length < 1) return;
        p.sink?.data(payload[0]!, payload.subarray(1));
        return;
      }
      case FrameType.STREAM_END: {
        this.pending.delete(p.id);
        this.clock.clearTimeout(p.timer);
        const f = decodeFields(payload) ?? [];
        if (!p.answered) {
          p.answered = true;
          p.resolve(p.fields);
        }
        p.sink?.end(f);
        return;
      }
    }
  }

  /** Fail a request (before its RESP) or its stream (after). */
  private finish(p: Pending, err: Error): void {
    this.pending.delete(p.id);
    this.clock.clearTimeout(p.timer);
    if (!p.answered) {
      p.answered = true;
      p.reject(err);
    }
    p.sink?.error(err);
  }

  private onReset(epoch: number, reason: string): void {
    if (this.wasUp) {
      this.resets++;
      this.lastReset = reason;
      this.wasUp = false;
    }
    this.failAll(new AgentError(`agent link reset: ${reason}`, 'link-reset'));
    this.emit('reset', { epoch, reason });
  }

  private failAll(err: AgentError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) this.finish(p, err);
  }
}

/**
 * Which way a transfer's bytes go: `uart` the link; `data` the data channel (an error if there
 * is none); `auto` the data channel when there is one (PUT: for files ≥ 64 KiB), falling back
 * to the link if the data connection cannot be made.
 */
export type TransferVia = 'auto' | 'data' | 'uart';

export interface GetOptions extends RequestOptions {
  /** Default `uart` for get/getStream (mostly small /proc files), `auto` for getToFile. */
  via?: TransferVia;
  /** Each chunk as it arrives (and the bytes so far, and the size the agent announced). */
  onChunk?: (chunk: Buffer, received: number, size: number) => void;
  /** Fail if no chunk arrives for this long (default 30 s). */
  idleTimeoutMs?: number;
}

export interface PutOptions extends RequestOptions {
  /** Default `auto`. */
  via?: TransferVia;
  /** Data channel: fail if the agent takes no bytes for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** The data connection once the agent accepted it (tests cut it to check the cleanup). */
  onDataSocket?: (socket: net.Socket) => void;
  /** Permission bits (default 0644). */
  mode?: number;
  onProgress?: (sent: number, size: number) => void;
}

export interface SpawnOptions extends RequestOptions {
  cwd?: string;
  /** Added to (or replacing entries of) the agent's environment. */
  env?: Record<string, string>;
  onOutput?: (stream: 'stdout' | 'stderr', data: Buffer) => void;
}

export interface AgentProcess {
  pid: number;
  requestId: number;
  /** Resolves when the process exits and its output is drained. Rejects on a link reset. */
  exited: Promise<ProcExit>;
  signal(sig: number | GuestSignalName): Promise<void>;
  write(data: Buffer | string): Promise<void>;
  closeStdin(): Promise<void>;
}

export type GdbStartSpec = { spawn: string[] } | { attach: number };

export interface GdbRelay {
  id: number;
  gdbserverPid: number;
  /** The debuggee's pid. */
  pid: number;
  requestId: number;
  /** Bytes to gdbserver. */
  write(data: Buffer | string): Promise<void>;
  stop(): Promise<void>;
  ended: Promise<ProcExit | null>;
}

export interface GdbStartOptions extends RequestOptions {
  /** RSP bytes from gdbserver. */
  onData: (data: Buffer) => void;
  /** gdbserver's stderr (and in stdio mode the debuggee's output). */
  onStderr?: (data: Buffer) => void;
}

/**
 * One host tool's view of the agent: its channel (CONNECT on first use) and the typed
 * operations. Processes, transfers and gdbservers it starts belong to its channel.
 */
export class AgentChannel {
  private id: number | null;
  private idEpoch = -1;
  private connecting: Promise<number> | null = null;

  constructor(
    readonly client: AgentClient,
    /** null: channel 0. */
    readonly tool: string | null,
  ) {
    this.id = tool === null ? 0 : null;
  }

  /** The channel id, connecting (again) if needed. */
  async channelId(o: RequestOptions = {}): Promise<number> {
    if (this.tool === null) return 0;
    if (!this.client.isUp) await this.client.whenUp(o.timeoutMs);
    if (this.id !== null && this.idEpoch === this.client.epoch) return this.id;
    if (!this.connecting) {
      const epoch = this.client.epoch;
      this.connecting = this.client
        .request(0, Op.CONNECT, [this.tool], o)
        .then((f) => {
          const id = num(f[0]);
          if (!Number.isInteger(id) || id <= 0 || id > 0xffff) throw new AgentError(`CONNECT: bad channel id '${f[0]?.toString('latin1')}'`, 'protocol');
          this.id = id;
          this.idEpoch = epoch;
          return id;
        })
        .finally(() => {
          this.connecting = null;
        });
    }
    return this.connecting;
  }

  async request(op: number, fields: readonly FieldInput[], o: RequestOptions & { sink?: StreamSink } = {}): Promise<Buffer[]> {
    const ch = await this.channelId(o);
    return this.client.request(ch, op, fields, o);
  }

  /** DISCONNECT: the agent kills / removes everything this channel started. */
  async disconnect(o: RequestOptions = {}): Promise<void> {
    if (this.tool !== null && (this.id === null || this.idEpoch !== this.client.epoch)) return;
    await this.client.request(this.id!, Op.DISCONNECT, [], o);
    if (this.tool !== null) this.id = null;
  }

  async ping(o: RequestOptions = {}): Promise<{ uptimeMs: number; rttMs: number }> {
    const ch = await this.channelId(o);
    const t0 = this.client.clock.now();
    const f = await this.client.request(ch, Op.PING, [], o);
    return { uptimeMs: num(f[0]), rttMs: this.client.clock.now() - t0 };
  }

  async list(path: string, o: RequestOptions = {}): Promise<FileEntry[]> {
    const f = await this.request(Op.LIST, [path], o);
    const out: FileEntry[] = [];
    for (const b of f) {
      const e = parseEntry(b);
      if (e) out.push(e);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async stat(path: string, o: RequestOptions = {}): Promise<FileEntry> {
    const f = await this.request(Op.STAT, [path], o);
    const e = f[0] ? parseEntry(f[0]) : null;
    if (!e) throw new AgentError(`STAT ${path}: malformed answer`, 'protocol');
    return e;
  }

  async exists(path: string, o: RequestOptions = {}): Promise<boolean> {
    try {
      await this.stat(path, o);
      return true;
    } catch (err) {
      if (err instanceof AgentError && err.errno === 2) return false;
      throw err;
    }
  }

  async remove(path: string, o: RequestOptions = {}): Promise<void> {
    await this.request(Op.REMOVE, [path], o);
  }

  /**
   * GET a file: calls `onChunk` for each chunk, resolves with {size, crc32} once STREAM_END
   * confirmed the size and CRC of what arrived.
   */
  async getStream(path: string, o: GetOptions & { onChunk: (chunk: Buffer, received: number, size: number) => void }): Promise<{ size: number; crc32: number; via: 'data' | 'uart' }> {
    const ch = await this.channelId(o);
    const target = this.dataTargetFor(o.via ?? 'uart', `GET ${path}`);
    if (target) {
      try {
        return await this.getViaData(ch, path, target, o);
      } catch (err) {
        if (!(err instanceof DataSetupError) || o.via === 'data') throw asDataError(err);
        this.client.dataFallbacks++;
        this.client.lastDataFallback = err.message;
      }
    }
    return { ...(await this.getViaLink(ch, path, o)), via: 'uart' };
  }

  /** The data channel to use for a transfer in mode `via`, or null for the link. */
  private dataTargetFor(via: TransferVia, what: string): DataTarget | null {
    if (via === 'uart') return null;
    const t = this.client.dataTarget();
    if (!t && via === 'data') throw new DataChannelError(`${what}: no data channel (the agent offers none, or the session forwards no port to it)`, 'setup');
    return t;
  }

  private async getViaData(ch: number, path: string, target: DataTarget, o: GetOptions & { onChunk: (chunk: Buffer, received: number, size: number) => void }): Promise<{ size: number; crc32: number; via: 'data' }> {
    let requestId = 0;
    let resolveEnd!: (f: Buffer[]) => void;
    let rejectEnd!: (e: Error) => void;
    const ended = new Promise<Buffer[]>((res, rej) => {
      resolveEnd = res;
      rejectEnd = rej;
    });
    ended.catch(() => undefined);
    const sink: StreamSink = { data: () => undefined, end: resolveEnd, error: rejectEnd };
    const f = await this.client.request(ch, Op.GET, [path, 'data'], { ...o, sink, onId: (id) => (requestId = id) });
    const size = num(f[0]);
    const handle = num(f[1]);
    const token = parseToken(f[2]);
    if (!Number.isInteger(handle) || !token) throw new AgentError(`GET ${path}: bad data-channel answer`, 'protocol');
    const epoch = this.client.epoch;
    const abort = () => {
      this.client.forget(requestId);
      if (this.client.epoch === epoch && this.client.isUp) this.client.request(ch, Op.PUT_ABORT, [handle], { timeoutMs: 5000 }).catch(() => undefined);
    };
    let sock: net.Socket;
    try {
      sock = await openDataConnection(target, { direction: DataDirection.GET, handle, token });
    } catch (err) {
      abort();
      throw err;
    }
    let received = 0;
    let crc = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (err: Error) => {
          sock.destroy();
          reject(err);
        };
        sock.on('data', (c: Buffer) => {
          received += c.length;
          crc = crc32(c, crc);
          try {
            o.onChunk(c, received, size);
          } catch (err) {
            fail(err as Error);
          }
        });
        sock.once('end', () => resolve());
        sock.once('error', (err) => fail(new DataChannelError(`GET ${path}: the data connection broke after ${received} bytes: ${err.message}`, 'transfer')));
        sock.once('close', () => fail(new DataChannelError(`GET ${path}: the data connection closed after ${received} bytes`, 'transfer')));
        o.signal?.addEventListener('abort', () => fail(new AgentError(`GET ${path} aborted`, 'aborted')));
        ended.catch((err: Error) => fail(err)); // the agent ended the stream with ERR
        sock.resume();
      });
      // The agent sends STREAM_END over the link right after it closed the connection.
      const idleMs = o.idleTimeoutMs ?? 30_000;
      let timer: unknown;
      const end = await Promise.race([
        ended,
        new Promise<never>((_, rej) => (timer = this.client.clock.setTimeout(() => rej(new AgentError(`GET ${path}: no STREAM_END within ${idleMs} ms of the data`, 'timeout')), idleMs))),
      ]).finally(() => this.client.clock.clearTimeout(timer));
      const sent = num(end[0]);
      const want = num(end[1]);
      if (sent !== received) throw new AgentError(`GET ${path}: the agent sent ${sent} bytes, ${received} arrived`, 'protocol');
      if (want !== crc) throw new AgentError(`GET ${path}: CRC mismatch (agent ${want}, host ${crc})`, 'protocol');
      return { size: sent, crc32: crc, via: 'data' };
    } catch (err) {
      abort();
      sock.destroy();
      throw err;
    }
  }

  private async getViaLink(ch: number, path: string, o: GetOptions & { onChunk: (chunk: Buffer, received: number, size: number) => void }): Promise<{ size: number; crc32: number }> {
    const clock = this.client.clock;
    let announced = NaN;
    let received = 0;
    let crc = 0;
    let idleTimer: unknown = null;
    const idleMs = o.idleTimeoutMs ?? 30_000;
    let requestId = 0;
    const done = new Promise<{ size: number; crc32: number }>((resolve, reject) => {
      const fail = (err: Error) => {
        clock.clearTimeout(idleTimer);
        reject(err);
      };
      const arm = () => {
        clock.clearTimeout(idleTimer);
        idleTimer = clock.setTimeout(() => {
          this.client.forget(requestId);
          fail(new AgentError(`GET ${path}: no data for ${idleMs} ms`, 'timeout'));
        }, idleMs);
      };
      const sink: StreamSink = {
        data: (kind, data) => {
          if (kind !== StreamKind.FILE) return;
          received += data.length;
          crc = crc32(data, crc);
          arm();
          try {
            o.onChunk(data, received, announced);
          } catch (err) {
            this.client.forget(requestId);
            fail(err as Error);
          }
        },
        end: (f) => {
          clock.clearTimeout(idleTimer);
          const size = num(f[0]);
          const want = num(f[1]);
          if (size !== received) reject(new AgentError(`GET ${path}: the agent sent ${size} bytes, ${received} arrived`, 'protocol'));
          else if (want !== crc) reject(new AgentError(`GET ${path}: CRC mismatch (agent ${want}, host ${crc})`, 'protocol'));
          else resolve({ size, crc32: crc });
        },
        error: fail,
      };
      this.client
        .request(ch, Op.GET, [path], { ...o, sink, onId: (id) => (requestId = id) })
        .then((f) => {
          announced = num(f[0]);
          arm();
        })
        .catch(fail);
      o.signal?.addEventListener('abort', () => {
        this.client.forget(requestId);
        fail(new AgentError(`GET ${path} aborted`, 'aborted'));
      });
    });
    return done;
  }

  /** GET a file into memory. */
  async get(path: string, o: GetOptions = {}): Promise<Buffer> {
    const chunks: Buffer[] = [];
    await this.getStream(path, {
      ...o,
      onChunk: (c, received, size) => {
        chunks.push(c);
        o.onChunk?.(c, received, size);
      },
    });
    return Buffer.concat(chunks);
  }

  /** GET a file to a host path: written to a temp file beside it, renamed once the CRC matched. */
  async getToFile(path: string, hostPath: string, o: GetOptions = {}): Promise<{ size: number; crc32: number; via: 'data' | 'uart' }> {
    const tmp = `${hostPath}.btpart-${process.pid}-${Date.now().toString(36)}`;
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      const r = await this.getStream(path, {
        ...o,
        via: o.via ?? 'auto',
        onChunk: (c, received, size) => {
          fs.writeSync(fd, c);
          o.onChunk?.(c, received, size);
        },
      });
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(tmp, hostPath);
      return r;
    } catch (err) {
      try {
        fs.closeSync(fd);
      } catch {
        /* closed already */
      }
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  /**
   * PUT a file (from memory or a host path). Data goes in PUT_DATA chunks with up to 8
   * requests in flight; the agent writes `<path>.btpart.<handle>`, checks size and CRC at
   * PUT_END and renames it over `path`. On any failure the transfer is aborted (PUT_ABORT)
   * and the target name is untouched.
   *
   * With a data channel (o.via, default `auto`: files ≥ 64 KiB when the agent offers one and
   * the host reaches it) the bytes go over TCP instead; if that connection cannot be made the
   * PUT falls back to the link, if it breaks part-way the PUT fails (DataChannelError).
   */
  async put(path: string, source: Buffer | { file: string }, o: PutOptions = {}): Promise<{ size: number; crc32: number; via: 'data' | 'uart' }> {
    const ch = await this.channelId(o);
    const via = o.via ?? 'auto';
    const target = this.dataTargetFor(via, `PUT ${path}`);
    const size = Buffer.isBuffer(source) ? source.length : fs.statSync(source.file).size;
    if (target && (via === 'data' || size >= DATA_CHANNEL_MIN_BYTES)) {
      try {
        return await this.putViaData(ch, path, source, target, o);
      } catch (err) {
        if (!(err instanceof DataSetupError) || via === 'data') throw asDataError(err);
        this.client.dataFallbacks++;
        this.client.lastDataFallback = err.message;
      }
    }
    return { ...(await this.putViaLink(ch, path, source, o)), via: 'uart' };
  }

  private async putViaData(ch: number, path: string, source: Buffer | { file: string }, target: DataTarget, o: PutOptions): Promise<{ size: number; crc32: number; via: 'data' }> {
    const fd = Buffer.isBuffer(source) ? null : fs.openSync(source.file, 'r');
    try {
      const size = Buffer.isBuffer(source) ? source.length : fs.fstatSync(fd!).size;
      const mode = (o.mode ?? 0o644).toString(8).padStart(4, '0');
      const begin = await this.client.request(ch, Op.PUT_BEGIN, [path, mode, size, 'data'], o);
      const handle = begin[0]?.toString('latin1') ?? '';
      const token = parseToken(begin[1]);
      if (!/^\d+$/.test(handle) || !token) throw new AgentError(`PUT_BEGIN: bad data-channel answer`, 'protocol');
      const epoch = this.client.epoch;
      const abort = () => {
        if (this.client.epoch === epoch && this.client.isUp) this.client.request(ch, Op.PUT_ABORT, [handle], { timeoutMs: 5000 }).catch(() => undefined);
      };
      let sock: net.Socket;
      try {
        sock = await openDataConnection(target, { direction: DataDirection.PUT, handle: Number(handle), token });
      } catch (err) {
        abort();
        throw err;
      }
      try {
        const clock = this.client.clock;
        const idleMs = o.idleTimeoutMs ?? 30_000;
        let broken: string | null = null;
        // The agent's counts of the bytes in its temp file (u64 LE each): progress and the
        // idle timeout go by these, not by what our kernel or QEMU's buffers took.
        let agentHas = 0;
        let lastMoveAt = clock.now();
        let pending: Buffer = Buffer.alloc(0);
        let wake: (() => void) | null = null;
        const poke = () => {
          const w = wake;
          wake = null;
          w?.();
        };
        sock.on('data', (b: Buffer) => {
          pending = pending.length ? Buffer.concat([pending, b]) : b;
          let i = 0;
          for (; i + 8 <= pending.length; i += 8) {
            const c = Number(pending.readBigUInt64LE(i));
            if (c > agentHas && c <= size) {
              agentHas = c;
              lastMoveAt = clock.now();
              o.onProgress?.(c, size);
            }
          }
          pending = pending.subarray(i);
          poke();
        });
        sock.on('error', (err) => {
          broken ??= err.message;
          poke();
        });
        sock.on('close', () => {
          broken ??= 'closed';
          poke();
        });
        sock.on('drain', poke);
        const abortListener = () => poke();
        o.signal?.addEventListener('abort', abortListener);
        this.client.on('reset', abortListener);
        /** Wait for any news (a count, drain, close, abort) or a second; fail if nothing moved for idleMs. */
        const news = async (off: number) => {
          await new Promise<void>((res) => {
            wake = res;
            const t = clock.setTimeout(poke, 1000);
            const w = wake;
            wake = () => {
              clock.clearTimeout(t);
              w();
            };
          });
          check(off);
          if (clock.now() - lastMoveAt > idleMs) throw new DataChannelError(`PUT ${path}: the agent took no bytes for ${idleMs} ms (${agentHas} of ${size} in, ${off} sent)`, 'transfer');
        };
        const check = (off: number) => {
          if (o.signal?.aborted) throw new AgentError(`PUT ${path} aborted`, 'aborted');
          // The agent dropped the transfer with everything else of the link (and closed the connection).
          if (this.client.epoch !== epoch) throw new AgentError(`PUT ${path}: agent link reset after ${agentHas} of ${size} bytes`, 'link-reset');
          if (broken !== null && agentHas < size) throw new DataChannelError(`PUT ${path}: the data connection broke after ${agentHas} of ${size} bytes reached the agent (${off} sent; ${broken})`, 'transfer');
        };
        sock.resume();
        o.onDataSocket?.(sock);
        let crc = 0;
        try {
          for (let off = 0; off < size; ) {
            check(off);
            const n = Math.min(DATA_CHUNK, size - off);
            let chunk: Buffer;
            if (fd === null) chunk = (source as Buffer).subarray(off, off + n);
            else {
              chunk = Buffer.allocUnsafe(n); // the socket keeps it until written: one per chunk
              if (fs.readSync(fd, chunk, 0, n, off) !== n) throw new AgentError(`PUT ${path}: ${(source as { file: string }).file} changed while it was sent`, 'aborted');
            }
            crc = crc32(chunk, crc);
            off += n;
            if (!sock.write(chunk)) {
              while (sock.writableNeedDrain && broken === null) await news(off);
            }
          }
          // Everything is on its way: wait until the agent has it all (its last count).
          while (agentHas < size) {
            check(size);
            await news(size);
          }
        } finally {
          o.signal?.removeEventListener('abort', abortListener);
          this.client.off('reset', abortListener);
        }
        if (size === 0) sock.end(); // nothing to count: the agent waits for our FIN
        // Size and CRC: PUT_END checks them and renames over the target.
        await this.client.request(ch, Op.PUT_END, [handle, crc >>> 0], { ...o, timeoutMs: Math.max(o.timeoutMs ?? 0, 60_000) });
        sock.destroy();
        return { size, crc32: crc >>> 0, via: 'data' };
      } catch (err) {
        abort();
        sock.destroy();
        throw err;
      }
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
  }

  private async putViaLink(ch: number, path: string, source: Buffer | { file: string }, o: PutOptions): Promise<{ size: number; crc32: number }> {
    const fd = Buffer.isBuffer(source) ? null : fs.openSync(source.file, 'r');
    try {
      const size = Buffer.isBuffer(source) ? source.length : fs.fstatSync(fd!).size;
      const mode = (o.mode ?? 0o644).toString(8).padStart(4, '0');
      const begin = await this.client.request(ch, Op.PUT_BEGIN, [path, mode, size], o);
      const handle = begin[0]?.toString('latin1') ?? '';
      if (!/^\d+$/.test(handle)) throw new AgentError(`PUT_BEGIN: bad handle '${handle}'`, 'protocol');
      const epoch = this.client.epoch;
      const abort = () => {
        if (this.client.epoch === epoch && this.client.isUp) this.client.request(ch, Op.PUT_ABORT, [handle], { timeoutMs: 5000 }).catch(() => undefined);
      };
      try {
        // op byte + (4 + handle) + (4 + data) ≤ MAX_PAYLOAD
        const chunkSize = MAX_PAYLOAD - 1 - 4 - handle.length - 4;
        const inflight: Promise<void>[] = [];
        let failed: Error | null = null;
        let crc = 0;
        let sent = 0;
        const buf = fd === null ? null : Buffer.allocUnsafe(chunkSize);
        for (let off = 0; off < size; ) {
          if (o.signal?.aborted) throw new AgentError(`PUT ${path} aborted`, 'aborted');
          if (failed) throw failed;
          const n = Math.min(chunkSize, size - off);
          let chunk: Buffer;
          if (fd === null) chunk = (source as Buffer).subarray(off, off + n);
          else {
            const got = fs.readSync(fd, buf!, 0, n, off);
            if (got !== n) throw new AgentError(`PUT ${path}: ${(source as { file: string }).file} changed while it was sent`, 'aborted');
            chunk = Buffer.from(buf!.subarray(0, n));
          }
          crc = crc32(chunk, crc);
          off += n;
          const end = off;
          inflight.push(
            this.client.request(ch, Op.PUT_DATA, [handle, chunk], o).then(
              () => {
                sent = Math.max(sent, end);
                o.onProgress?.(sent, size);
              },
              (err: Error) => {
                failed ??= err;
              },
            ),
          );
          if (inflight.length >= 8) await inflight.shift();
        }
        await Promise.all(inflight);
        if (failed) throw failed;
        if (o.signal?.aborted) throw new AgentError(`PUT ${path} aborted`, 'aborted');
        await this.client.request(ch, Op.PUT_END, [handle, crc >>> 0], { ...o, timeoutMs: Math.max(o.timeoutMs ?? 0, 60_000) });
        return { size, crc32: crc >>> 0 };
      } catch (err) {
        abort();
        throw err;
      }
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
  }

  /** SPAWN a process (no debugger); output arrives through `onOutput`. */
  async spawn(argv: string[], o: SpawnOptions = {}): Promise<AgentProcess> {
    if (!argv.length || !argv[0]) throw new AgentError('spawn: empty argv', 'protocol');
    const ch = await this.channelId(o);
    const env = Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`);
    let resolveExit!: (e: ProcExit) => void;
    let rejectExit!: (e: Error) => void;
    const exited = new Promise<ProcExit>((res, rej) => {
      resolveExit = res;
      rejectExit = rej;
    });
    exited.catch(() => undefined); // the caller may never look
    const sink: StreamSink = {
      data: (kind, data) => {
        if (kind === StreamKind.STDOUT) o.onOutput?.('stdout', data);
        else if (kind === StreamKind.STDERR) o.onOutput?.('stderr', data);
      },
      end: (f) => {
        const how = f[0]?.toString('latin1') === 'signal' ? 'signal' : 'exit';
        resolveExit({ how, code: num(f[1]) });
      },
      error: rejectExit,
    };
    let requestId = 0;
    const f = await this.client.request(ch, Op.SPAWN, [o.cwd ?? '/', env.length, ...env, ...argv], { ...o, sink, onId: (id) => (requestId = id) });
    const pid = num(f[0]);
    return {
      pid,
      requestId,
      exited,
      signal: (sig) => this.signal(pid, sig),
      write: (data) => this.stdin(pid, typeof data === 'string' ? Buffer.from(data) : data),
      closeStdin: () => this.stdin(pid, Buffer.alloc(0)),
    };
  }

  async signal(pid: number, sig: number | GuestSignalName, o: RequestOptions = {}): Promise<void> {
    const signo = typeof sig === 'number' ? sig : GuestSignal[sig];
    await this.request(Op.SIGNAL, [pid, signo], o);
  }

  /** Bytes to a spawned process's stdin (empty = close it). Sent in pieces that fit a frame. */
  async stdin(pid: number, data: Buffer, o: RequestOptions = {}): Promise<void> {
    const max = MAX_PAYLOAD - 1 - 4 - String(pid).length - 4;
    if (data.length === 0) {
      await this.request(Op.STDIN, [pid, data], o);
      return;
    }
    const parts: Promise<Buffer[]>[] = [];
    for (let off = 0; off < data.length; off += max) parts.push(this.request(Op.STDIN, [pid, data.subarray(off, off + max)], o));
    await Promise.all(parts);
  }

  /** Start gdbserver through the agent: spawn a program under it, or attach to a pid. */
  async gdbStart(spec: GdbStartSpec, o: GdbStartOptions): Promise<GdbRelay> {
    const ch = await this.channelId(o);
    const fields: FieldInput[] = 'spawn' in spec ? ['spawn', ...spec.spawn] : ['attach', spec.attach];
    let resolveEnd!: (e: ProcExit | null) => void;
    const ended = new Promise<ProcExit | null>((res) => (resolveEnd = res));
    const sink: StreamSink = {
      data: (kind, data) => {
        if (kind === StreamKind.GDB) o.onData(data);
        else if (kind === StreamKind.STDERR || kind === StreamKind.STDOUT) o.onStderr?.(data);
      },
      end: (f) => resolveEnd(f.length ? { how: f[0]?.toString('latin1') === 'signal' ? 'signal' : 'exit', code: num(f[1]) } : null),
      error: () => resolveEnd(null),
    };
    let requestId = 0;
    const f = await this.client.request(ch, Op.GDB_START, fields, { ...o, sink, timeoutMs: o.timeoutMs ?? 30_000, onId: (id) => (requestId = id) });
    const id = num(f[0]);
    const max = MAX_PAYLOAD - 1 - 4 - String(id).length - 4;
    return {
      id,
      gdbserverPid: num(f[1]),
      pid: num(f[2]),
      requestId,
      ended,
      write: async (data) => {
        const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
        const parts: Promise<Buffer[]>[] = [];
        for (let off = 0; off < b.length; off += max) parts.push(this.client.request(ch, Op.GDB_WRITE, [id, b.subarray(off, off + max)]));
        await Promise.all(parts);
      },
      stop: async () => {
        await this.client.request(ch, Op.GDB_STOP, [id]);
      },
    };
  }

  /** Subscribe this channel to EVENT frames (they arrive as the client's 'event'). */
  async events(o: RequestOptions = {}): Promise<void> {
    await this.request(Op.EVENTS, [], o);
  }

  private inputWanted = false;
  private inputRearm: (() => void) | null = null;

  /**
   * INPUT_WATCH: while on, the agent sends an EVENT of kind `input` on this channel for each
   * key event the guest kernel sees (parse it with parseInputEvent), stamped by the kernel on
   * CLOCK_MONOTONIC. Resolves (for on) with the devices watched. A link reset ends the watch
   * in the agent; this channel turns it on again when the link comes back up, so a watcher
   * only misses the keys of the reset itself.
   */
  async inputWatch(on: boolean, o: RequestOptions = {}): Promise<InputDevice[]> {
    this.inputWanted = on;
    if (on && !this.inputRearm) {
      this.inputRearm = () => {
        if (this.inputWanted) this.request(Op.INPUT_WATCH, ['on']).catch(() => undefined);
      };
      this.client.on('up', this.inputRearm);
    } else if (!on && this.inputRearm) {
      this.client.off('up', this.inputRearm);
      this.inputRearm = null;
    }
    const f = await this.request(Op.INPUT_WATCH, [on ? 'on' : 'off'], o);
    return f.map((b) => {
      const [node = '', ...name] = b.toString('utf8').split('\t');
      return { node, name: name.join('\t') };
    });
  }
}

/** A DataSetupError that is not falling back becomes an AgentError the callers know. */
function asDataError(err: unknown): unknown {
  return err instanceof DataSetupError ? new DataChannelError(err.message, 'setup') : err;
}

/** A device an input watch reads: `event0` and its kernel name (EVIOCGNAME). */
export interface InputDevice {
  node: string;
  name: string;
}
