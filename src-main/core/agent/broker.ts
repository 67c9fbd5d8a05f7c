/**
 * The host agent's broker: one link to one target agent, shared by every host tool (UI panes,
 * the CLI, gdb bridges), each on its own channel.
 *
 * `AgentBroker` owns the byte stream (a unix socket: QEMU's chardev for the guest's second
 * UART, or any socket / pipe pair), the AgentClient on it, one AgentChannel per tool name,
 * and the event subscription (EVENTS again after every link reset). If the socket drops while
 * the broker is open (QEMU still running), it connects again and handshakes afresh.
 */
import { connectOptsOf, type Endpoint } from '../util/endpoint';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { AgentChannel, AgentClient, type AgentClientOptions, type AgentEventMessage, type AgentStatusSnapshot } from './client';

export interface BrokerEvents {
  /** The link came up or went down. */
  status: [AgentStatusSnapshot];
  event: [AgentEventMessage];
  /** Every pending request failed: the guest rebooted, the socket dropped, … */
  reset: [{ reason: string }];
}

export interface ByteStream {
  write(b: Buffer): void;
  onData(cb: (b: Buffer) => void): void;
  onClose(cb: () => void): void;
  destroy(): void;
}

export interface BrokerOptions {
  /** Connect the stream (called again after it closes, while the broker is open). */
  connect: () => Promise<ByteStream>;
  client?: Omit<AgentClientOptions, 'write'>;
  /** Name of the tool whose channel receives EVENT frames (default "events"). */
  eventsTool?: string;
  /** Delay between reconnect attempts. */
  reconnectMs?: number;
}

export class AgentBroker extends EventEmitter<BrokerEvents> {
  readonly client: AgentClient;
  private stream: ByteStream | null = null;
  private readonly channels = new Map<string, AgentChannel>();
  private closed = false;
  private readonly eventsChannel: AgentChannel;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private lastState: string | null = null;

  constructor(private readonly opts: BrokerOptions) {
    super();
    this.client = new AgentClient({ ...opts.client, write: (b) => this.stream?.write(b) });
    this.eventsChannel = this.channel(opts.eventsTool ?? 'events');
    this.client.on('event', (e) => this.emit('event', e));
    this.client.on('up', () => {
      this.publish();
      // Subscribe on its own channel: EVENT frames go to every subscribed channel.
      this.eventsChannel.events().catch(() => undefined);
    });
    this.client.on('reset', ({ reason }) => {
      this.emit('reset', { reason });
      this.publish();
    });
  }

  /** Connect and start the handshake; resolves once the stream is connected (not the agent). */
  async open(): Promise<void> {
    await this.attach();
    this.client.start();
  }

  /** Resolves when the agent answered the handshake. */
  ready(timeoutMs?: number): Promise<void> {
    return this.client.whenUp(timeoutMs);
  }

  /** The channel of one host tool (shared by every caller that names the same tool). */
  channel(tool: string): AgentChannel {
    let ch = this.channels.get(tool);
    if (!ch) {
      ch = this.client.channel(tool);
      this.channels.set(tool, ch);
    }
    return ch;
  }

  /** Channel 0. */
  get control(): AgentChannel {
    return this.client.control;
  }

  status(): AgentStatusSnapshot {
    return this.client.status();
  }

  /** Raw bytes onto the stream, past the link layer (tests: garbage on the line). */
  writeRaw(b: Buffer): void {
    this.stream?.write(b);
  }

  /** Drop the connection as if it was lost (tests); the broker reconnects and handshakes again. */
  dropConnection(): void {
    this.stream?.destroy();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.client.close();
    this.stream?.destroy();
    this.stream = null;
    this.publish();
  }

  private publish(): void {
    const s = this.client.status();
    const key = `${s.state}/${s.epoch}`;
    if (key === this.lastState) return;
    this.lastState = key;
    this.emit('status', s);
  }

  private async attach(): Promise<void> {
    const stream = await this.opts.connect();
    if (this.closed) {
      stream.destroy();
      return;
    }
    this.stream = stream;
    stream.onData((b) => this.client.receive(b));
    stream.onClose(() => {
      if (this.stream !== stream) return;
      this.stream = null;
      if (this.closed) return;
      this.client.restart('the agent socket closed');
      this.publish();
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.attach()
        .then(() => {
          if (!this.closed) this.client.restart('reconnected');
        })
        .catch(() => this.scheduleReconnect());
    }, this.opts.reconnectMs ?? 250);
    this.reconnectTimer.unref?.();
  }
}

/** A unix (or TCP) socket as the broker's byte stream. */
export function socketStream(s: net.Socket): ByteStream {
  s.setNoDelay?.(true);
  return {
    write: (b) => {
      if (!s.destroyed) s.write(b);
    },
    onData: (cb) => s.on('data', cb),
    onClose: (cb) => {
      s.on('close', cb);
      s.on('error', () => undefined);
    },
    destroy: () => s.destroy(),
  };
}

/** Connect to a unix socket, retrying while it does not exist yet (up to `timeoutMs`). */
export function connectUnixStream(path: string, timeoutMs = 5000): Promise<ByteStream> {
  return connectStream({ path }, timeoutMs);
}

/**
 * Connect to the agent's endpoint: `tcp:HOST:PORT` (QEMU `-chardev socket,host=…,port=…`) or
 * the path of a unix socket.
 */
export function connectEndpoint(endpoint: Endpoint, timeoutMs = 5000): Promise<ByteStream> {
  return connectStream(connectOptsOf(endpoint), timeoutMs);
}

async function connectStream(where: net.NetConnectOpts, timeoutMs: number): Promise<ByteStream> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const s = await new Promise<net.Socket>((resolve, reject) => {
        const sock = net.createConnection(where);
        sock.once('connect', () => {
          sock.removeAllListeners('error');
          resolve(sock);
        });
        sock.once('error', reject);
      });
      return socketStream(s);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
