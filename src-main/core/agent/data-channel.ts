/**
 * The agent's data channel (docs/agent-protocol.md section 4d): bulk file bytes over a TCP
 * connection to the guest's port (QEMU forwards a 127.0.0.1 port of the host to it), while
 * the reliable UART link keeps the control: PUT_BEGIN / GET with `data` return a handle and a
 * random 16-byte token, the connection's header names the transfer with both, and PUT_END /
 * STREAM_END check size and CRC as for link transfers.
 *
 * Header (host → agent, 28 bytes, little-endian):
 *   0 magic "BTDC" · 4 version 1 · 5 direction (1 PUT: bytes follow, 2 GET: the agent sends)
 *   · 6 reserved u16 = 0 · 8 handle u32 · 12 token (16 bytes)
 * then one status byte from the agent: 0 accepted, 1 bad header, 2 refused (no such transfer
 * waiting, or a wrong token); anything but 0 is followed by the agent closing the connection.
 */
import net from 'node:net';

export const DATA_MAGIC = 'BTDC';
export const DATA_VERSION = 1;
export const DATA_HEADER_LEN = 28;
export const DATA_TOKEN_LEN = 16;
export const DataDirection = { PUT: 1, GET: 2 } as const;
export type DataDirection = (typeof DataDirection)[keyof typeof DataDirection];
export const DataStatus = { OK: 0, BAD_HEADER: 1, REFUSED: 2 } as const;
/** The port the agent listens on in the guest (its HELLO says `data_port=7777`). */
export const AGENT_DATA_GUEST_PORT = 7777;

export interface DataHeader {
  direction: DataDirection;
  /** u32 */
  handle: number;
  /** 16 bytes */
  token: Buffer;
}

export function encodeDataHeader(h: DataHeader): Buffer {
  if (!Number.isInteger(h.handle) || h.handle < 0 || h.handle > 0xffffffff) throw new RangeError(`data header: handle ${h.handle} is not a u32`);
  if (h.token.length !== DATA_TOKEN_LEN) throw new RangeError(`data header: token of ${h.token.length} bytes, not ${DATA_TOKEN_LEN}`);
  if (h.direction !== DataDirection.PUT && h.direction !== DataDirection.GET) throw new RangeError(`data header: direction ${String(h.direction)}`);
  const b = Buffer.alloc(DATA_HEADER_LEN);
  b.write(DATA_MAGIC, 0, 'latin1');
  b[4] = DATA_VERSION;
  b[5] = h.direction;
  b.writeUInt32LE(h.handle, 8);
  h.token.copy(b, 12);
  return b;
}

/** The agent's check, in TypeScript (tests, and any host-side listener): null if invalid. */
export function decodeDataHeader(b: Uint8Array): DataHeader | null {
  if (b.length !== DATA_HEADER_LEN) return null;
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.toString('latin1', 0, 4) !== DATA_MAGIC || buf[4] !== DATA_VERSION) return null;
  const direction = buf[5];
  if (direction !== DataDirection.PUT && direction !== DataDirection.GET) return null;
  if (buf.readUInt16LE(6) !== 0) return null;
  return { direction, handle: buf.readUInt32LE(8), token: Buffer.from(buf.subarray(12, 28)) };
}

/** The token as the agent sends it in RESP (32 lowercase hex digits). */
export function parseToken(field: Buffer | undefined): Buffer | null {
  const s = field?.toString('latin1') ?? '';
  return /^[0-9a-f]{32}$/.test(s) ? Buffer.from(s, 'hex') : null;
}

/** No data connection could be made, or the agent refused it: nothing was transferred. */
export class DataSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataSetupError';
  }
}

export interface DataTarget {
  host: string;
  port: number;
}

/**
 * Connect, send the header, wait for the status byte. Resolves with the socket once the agent
 * accepted (for GET any bytes that came with the status are pushed back into the socket).
 * QEMU's hostfwd accepts a connection even when nothing listens in the guest and then closes
 * it: that is a `setup` failure like a refusal.
 */
export function openDataConnection(target: DataTarget, header: DataHeader, o: { timeoutMs?: number } = {}): Promise<net.Socket> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host: target.host, port: target.port });
    sock.setNoDelay(true);
    let done = false;
    const fail = (msg: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      reject(new DataSetupError(`data channel ${target.host}:${target.port}: ${msg}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    sock.once('connect', () => sock.write(encodeDataHeader(header)));
    const onData = (b: Buffer) => {
      if (done) return;
      sock.off('data', onData);
      sock.pause();
      const st = b[0];
      if (st !== DataStatus.OK) {
        fail(st === DataStatus.REFUSED ? 'refused by the agent (no such transfer waiting, or a wrong token)' : `refused by the agent (status ${st})`);
        return;
      }
      done = true;
      clearTimeout(timer);
      sock.off('error', onError);
      sock.off('close', onClose);
      if (b.length > 1) sock.unshift(b.subarray(1));
      resolve(sock);
    };
    const onError = (err: Error) => fail(err.message);
    const onClose = () => fail('closed before the agent answered (is the agent listening in the guest?)');
    sock.on('data', onData);
    sock.on('error', onError);
    sock.on('close', onClose);
  });
}
