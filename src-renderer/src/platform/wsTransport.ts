/**
 * WebSocket front door, client side: a `Transport` over one socket to `/ws`, with reconnect.
 *
 * Wire protocol (JSON text frames, see src-shared/transport.ts):
 *   → {"t":"call","id":n,"method":"sessions.start","input":{...}}
 *   ← {"t":"result","id":n,"ok":true,"output":...} | {"t":"result","id":n,"ok":false,"error":{code,message}}
 *   ← {"t":"event","event":"console.output","payload":{...}}     (pushed to every client)
 *   ← {"t":"error","error":{code,message}}                         (not tied to a call)
 *
 * Calls made while the socket is still connecting are queued and sent on open. Calls made while
 * disconnected reject at once, and every call in flight rejects when the socket drops: the
 * caller learns about it instead of waiting forever. Event subscriptions are local and survive
 * reconnects; the application refetches its state when `onStatus` reports a reconnect.
 */
import type { ClientMessage, Transport } from '../../../src-shared/transport';
import { wireErrorToError } from '../../../src-shared/transport';
import { BenchtopError, type WireError } from '../../../src-shared/errors';

/** The part of the browser WebSocket this transport uses (so tests can pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type ConnectionStatus =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open'; since: number; reconnect: boolean }
  | { kind: 'disconnected'; attempt: number; retryAt: number; reason: string }
  | { kind: 'closed' };

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: the delay is randomised by ±jitter so many clients do not reconnect in step. */
  jitter: number;
}

export interface WsTransportOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  backoff?: Partial<BackoffOptions>;
  /** A connection that stayed open this long resets the backoff. */
  stableMs?: number;
  random?: () => number;
  now?: () => number;
}

const OPEN = 1;

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 };

/** Delay before reconnect attempt number `failures` (1 = first retry). */
export function backoffDelay(failures: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(opts.maxMs, opts.initialMs * opts.factor ** Math.max(0, failures - 1));
  const spread = base * opts.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}

/** A call could not complete because there is no connection to the server. */
export class ConnectionError extends BenchtopError {
  constructor(message: string) {
    super('internal', message);
    this.name = 'ConnectionError';
  }
}

export function isConnectionError(err: unknown): err is ConnectionError {
  return err instanceof ConnectionError;
}

export function describeClose(ev: { code: number; reason: string }): string {
  const known: Record<number, string> = {
    1000: 'closed',
    1001: 'server going away',
    1006: 'connection lost',
    1008: 'refused by policy',
    1011: 'server error',
    4401: 'unauthorized (bad or missing token)',
    4403: 'forbidden',
  };
  const what = ev.reason || known[ev.code] || 'closed';
  return `${what} (code ${ev.code})`;
}

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class WsTransport implements Transport {
  private readonly createSocket: (url: string) => SocketLike;
  private readonly backoff: BackoffOptions;
  private readonly stableMs: number;
  private readonly random: () => number;
  private readonly now: () => number;

  private socket: SocketLike | null = null;
  private status: ConnectionStatus = { kind: 'connecting', attempt: 0 };
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private queue: ClientMessage[] = [];
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly statusListeners = new Set<(s: ConnectionStatus) => void>();
  private readonly serverErrorListeners = new Set<(e: WireError) => void>();
  private failures = 0;
  private attempt = 0;
  private openedAt: number | null = null;
  private everOpened = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(private readonly opts: WsTransportOptions) {
    this.createSocket = opts.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.stableMs = opts.stableMs ?? 5_000;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
  }

  /** Opens the first connection. Separate from the constructor so listeners can attach first. */
  start(): void {
    if (!this.socket && !this.disposed) this.connect();
  }

  getStatus(): ConnectionStatus {
    return this.status;
  }

  onStatus(listener: (s: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** `{"t":"error"}` frames: errors the server reports outside of any call. */
  onServerError(listener: (e: WireError) => void): () => void {
    this.serverErrorListeners.add(listener);
    return () => this.serverErrorListeners.delete(listener);
  }

  /** Skip the rest of the backoff wait and try now. */
  reconnectNow(): void {
    if (this.status.kind === 'disconnected') this.connect();
  }

  dispose(): void {
    this.disposed = true;
    this.clearRetry();
    const sock = this.socket;
    this.socket = null;
    if (sock) {
      sock.onopen = sock.onmessage = sock.onerror = sock.onclose = null;
      sock.close(1000, 'client closed');
    }
    this.failAll('the client was closed');
    this.setStatus({ kind: 'closed' });
  }

  invoke(method: string, input: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const s = this.status;
      if (s.kind === 'disconnected' || s.kind === 'closed') {
        const why = s.kind === 'disconnected' ? s.reason : 'client closed';
        reject(new ConnectionError(`Not connected to the Benchtop server (${why}); '${method}' was not sent.`));
        return;
      }
      const id = this.nextId++;
      const msg: ClientMessage = { t: 'call', id, method, input };
      this.pending.set(id, { method, resolve, reject });
      if (s.kind === 'open') this.send(msg);
      else this.queue.push(msg);
    });
  }

  subscribe(event: string, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  // ---------------------------------------------------------------------------------------------

  private connect(): void {
    this.clearRetry();
    this.attempt++;
    this.setStatus({ kind: 'connecting', attempt: this.attempt });
    let sock: SocketLike;
    try {
      sock = this.createSocket(this.opts.url);
    } catch (err) {
      this.handleClose(`cannot open the socket: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.socket = sock;
    sock.onopen = () => {
      if (this.socket !== sock) return;
      this.openedAt = this.now();
      const reconnect = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      const queued = this.queue;
      this.queue = [];
      this.setStatus({ kind: 'open', since: this.openedAt, reconnect });
      for (const msg of queued) if (this.pending.has(msg.id)) this.send(msg);
    };
    sock.onmessage = (ev) => {
      if (this.socket !== sock) return;
      this.handleFrame(ev.data);
    };
    sock.onerror = () => {
      // Browsers give no detail here; the close event that follows carries the code.
    };
    sock.onclose = (ev) => {
      if (this.socket !== sock) return;
      this.socket = null;
      this.handleClose(describeClose(ev));
    };
  }

  private handleClose(reason: string): void {
    this.failAll(reason);
    if (this.disposed) return;
    if (this.openedAt !== null && this.now() - this.openedAt >= this.stableMs) this.failures = 0;
    this.openedAt = null;
    this.failures++;
    const delay = backoffDelay(this.failures, this.backoff, this.random);
    this.setStatus({ kind: 'disconnected', attempt: this.attempt, retryAt: this.now() + delay, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private failAll(reason: string): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.queue = [];
    for (const call of calls) {
      call.reject(
        new ConnectionError(`Connection to the Benchtop server was lost (${reason}) before '${call.method}' completed.`),
      );
    }
  }

  private send(msg: ClientMessage): void {
    const sock = this.socket;
    const call = this.pending.get(msg.id);
    let text: string;
    try {
      text = JSON.stringify(msg);
    } catch (err) {
      this.pending.delete(msg.id);
      call?.reject(new BenchtopError('bad-request', `cannot encode the input of '${msg.method}': ${String(err)}`));
      return;
    }
    if (!sock || sock.readyState !== OPEN) {
      this.pending.delete(msg.id);
      call?.reject(new ConnectionError(`Not connected to the Benchtop server; '${msg.method}' was not sent.`));
      return;
    }
    sock.send(text);
  }

  private handleFrame(data: unknown): void {
    if (typeof data !== 'string') {
      console.warn('[ws] ignoring a non-text frame');
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('[ws] ignoring a frame that is not JSON:', data.slice(0, 200));
      return;
    }
    if (!isRecord(msg)) return;
    switch (msg.t) {
      case 'result': {
        if (typeof msg.id !== 'number') return;
        const call = this.pending.get(msg.id);
        if (!call) return; // answer to a call that already failed
        this.pending.delete(msg.id);
        if (msg.ok === true) call.resolve(msg.output);
        else call.reject(wireErrorToError(asWireError(msg.error, `'${call.method}' failed`)));
        return;
      }
      case 'event': {
        if (typeof msg.event !== 'string') return;
        const set = this.listeners.get(msg.event);
        if (!set) return;
        for (const listener of [...set]) {
          try {
            listener(msg.payload);
          } catch (err) {
            console.error(`[ws] listener of '${msg.event}' threw`, err);
          }
        }
        return;
      }
      case 'error': {
        const err = asWireError(msg.error, 'server error');
        for (const listener of [...this.serverErrorListeners]) listener(err);
        return;
      }
      default:
        console.warn('[ws] ignoring an unknown frame type:', msg.t);
    }
  }

  private setStatus(s: ConnectionStatus): void {
    this.status = s;
    for (const listener of [...this.statusListeners]) listener(s);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asWireError(v: unknown, fallback: string): WireError {
  if (isRecord(v) && typeof v.message === 'string') {
    return { code: (typeof v.code === 'string' ? v.code : 'internal') as WireError['code'], message: v.message };
  }
  return { code: 'internal', message: fallback };
}
