/**
 * QMP client: the core is QEMU's only QMP client (QMP accepts one at a time) and multiplexes
 * every feature's commands over it. Each command carries an id; replies are routed by id,
 * events go to listeners, each command has a timeout, and QMP errors become typed errors.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { BenchtopError } from '../../../src-shared/errors';
import { QmpDecoder, encodeCommand, type QmpEvent } from './codec';

export class QmpCommandError extends BenchtopError {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super('qmp-error', `QMP ${command} failed: ${errorClass}: ${desc}`);
    this.name = 'QmpCommandError';
  }
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface QmpClientEvents {
  event: [QmpEvent];
  garbage: [string];
  close: [];
}

export class QmpClient extends EventEmitter<QmpClientEvents> {
  private readonly decoder = new QmpDecoder();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  greetingVersion: unknown = null;

  private constructor(private readonly socket: net.Socket) {
    super();
  }

  /**
   * Connect to a QMP unix socket, read the greeting, negotiate capabilities.
   * QEMU creates the socket only after it has started, so connection is retried until `timeoutMs`.
   */
  static async connect(path: string, opts: { timeoutMs?: number; isAlive?: () => boolean } = {}): Promise<QmpClient> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    let lastErr: Error | null = null;
    while (Date.now() < deadline) {
      if (opts.isAlive && !opts.isAlive()) throw new BenchtopError('internal', 'QEMU exited before its QMP socket accepted a connection');
      try {
        const socket = await connectOnce(path);
        const client = new QmpClient(socket);
        await client.handshake(Math.max(1000, deadline - Date.now()));
        return client;
      } catch (err) {
        lastErr = err as Error;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    throw new BenchtopError('timeout', `QMP socket ${path} did not answer: ${lastErr?.message ?? 'timeout'}`);
  }

  private handshake(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        reject(new BenchtopError('timeout', 'no QMP greeting'));
      }, timeoutMs);
      let greeted = false;
      this.socket.on('data', (chunk) => {
        for (const item of this.decoder.push(chunk)) {
          if (item.kind === 'greeting' && !greeted) {
            greeted = true;
            this.greetingVersion = item.version;
            this.execute('qmp_capabilities').then(
              () => {
                clearTimeout(timer);
                resolve();
              },
              (e: Error) => {
                clearTimeout(timer);
                reject(e);
              },
            );
          } else if (item.kind === 'return' || item.kind === 'error') {
            this.settle(item.id, item.kind === 'return' ? { ok: true, value: item.value } : { ok: false, errorClass: item.errorClass, desc: item.desc });
          } else if (item.kind === 'event') {
            this.emit('event', item);
          } else if (item.kind === 'garbage') {
            this.emit('garbage', `${item.reason}: ${item.sample}`);
          }
        }
      });
      this.socket.on('close', () => {
        clearTimeout(timer);
        this.shutdown(new BenchtopError('qmp-error', 'QMP connection closed'));
        if (!greeted) reject(new BenchtopError('qmp-error', 'QMP connection closed before the greeting'));
      });
      this.socket.on('error', () => {
        /* 'close' follows and does the work */
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, opts: { timeoutMs?: number } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new BenchtopError('qmp-error', `QMP ${command}: connection is closed`));
    const id = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new BenchtopError('timeout', `QMP ${command} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(encodeCommand(command, args, id));
    });
  }

  /** HMP through QMP (`human-monitor-command`): avoids the HMP socket's readline echo. */
  hmp(commandLine: string, opts: { timeoutMs?: number } = {}): Promise<string> {
    return this.execute<string>('human-monitor-command', { 'command-line': commandLine }, opts);
  }

  close(): void {
    this.socket.destroy();
  }

  private settle(id: string | number | null, r: { ok: true; value: unknown } | { ok: false; errorClass: string; desc: string }): void {
    if (typeof id !== 'number') return; // a reply we did not ask for
    const p = this.pending.get(id);
    if (!p) return; // late reply after a timeout
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (r.ok) p.resolve(r.value);
    else p.reject(new QmpCommandError(p.command, r.errorClass, r.desc));
  }

  private shutdown(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new BenchtopError(err instanceof BenchtopError ? err.code : 'qmp-error', `QMP ${p.command}: ${err.message}`));
    }
    this.pending.clear();
    this.emit('close');
  }
}

function connectOnce(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection({ path });
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', reject);
  });
}
