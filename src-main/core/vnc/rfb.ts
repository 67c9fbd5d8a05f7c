/**
 * The part of RFB 3.8 (the VNC protocol, RFC 6143) Benchtop speaks to QEMU's VNC server, plus
 * QEMU's extended key event. Spec: docs/rfb.md. Benchtop uses it for one thing: key events for
 * the replayer — QEMU handles them in its main loop straight from the socket, where a QMP
 * command first crosses the monitor's I/O thread (measured: send → QEMU's input layer p50
 * 0.19 ms / p99 0.69 ms over VNC, 1.04 / 2.27 ms over QMP).
 *
 * Client → server: encoders below. Server → client: RfbClientDecoder, a push decoder that walks
 * the handshake (version, security types, security result, ServerInit) and then the server's
 * messages, whatever the chunking.
 */

export const RFB_VERSION_3_8 = 'RFB 003.008\n';
export const SECURITY_NONE = 1;
/** QEMU's pseudo-encoding: "I can send extended key events (XT scan codes)". */
export const ENCODING_QEMU_EXTENDED_KEY_EVENT = -258;

export const clientVersion = (): Buffer => Buffer.from(RFB_VERSION_3_8, 'latin1');
export const securityChoice = (type: number): Buffer => Buffer.from([type]);
export const clientInit = (shared: boolean): Buffer => Buffer.from([shared ? 1 : 0]);

/** SetEncodings (type 2). */
export function setEncodings(encodings: number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * encodings.length);
  b[0] = 2;
  b.writeUInt16BE(encodings.length, 2);
  encodings.forEach((e, i) => b.writeInt32BE(e, 4 + 4 * i));
  return b;
}

/**
 * QEMU extended key event: QEMU client message (255), subtype 0, down flag, keysym (0: let
 * QEMU use the scan code alone), scan code (XT set 1; 0xe0-prefixed keys as 0x80 | code).
 */
export function qemuExtendedKeyEvent(down: boolean, keycode: number, keysym = 0): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 255;
  b[1] = 0;
  b.writeUInt16BE(down ? 1 : 0, 2);
  b.writeUInt32BE(keysym >>> 0, 4);
  b.writeUInt32BE(keycode >>> 0, 8);
  return b;
}

export interface RfbRect {
  x: number;
  y: number;
  width: number;
  height: number;
  encoding: number;
}

export type RfbServerItem =
  | { kind: 'version'; major: number; minor: number }
  | { kind: 'security-types'; types: number[] }
  | { kind: 'security-result'; ok: true }
  | { kind: 'server-init'; width: number; height: number; name: string }
  | { kind: 'framebuffer-update'; rects: RfbRect[] }
  | { kind: 'bell' }
  | { kind: 'cut-text'; text: string }
  /** The server refused (a reason it sent) or sent what this decoder cannot read; nothing follows. */
  | { kind: 'failed'; reason: string };

/** Pseudo-encodings whose rectangles carry no pixel data (the only ones we ever ask for). */
const PAYLOAD_FREE_ENCODINGS = new Set([ENCODING_QEMU_EXTENDED_KEY_EVENT, -223 /* DesktopSize */, -257 /* QEMU pointer motion change */, -261 /* QEMU LED state: 1 byte, below */]);

type Phase = 'version' | 'security' | 'security-result' | 'server-init' | 'messages' | 'failed';

export class RfbClientDecoder {
  private buf = Buffer.alloc(0);
  private phase: Phase = 'version';

  push(chunk: Uint8Array): RfbServerItem[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: RfbServerItem[] = [];
    for (;;) {
      if (this.phase === 'failed') {
        this.buf = Buffer.alloc(0);
        return out;
      }
      const item = this.next();
      if (!item) return out;
      out.push(item);
      if (item.kind === 'failed') this.phase = 'failed';
    }
  }

  /** One whole item from the front of the buffer, or null when more bytes are needed. */
  private next(): RfbServerItem | null {
    const b = this.buf;
    switch (this.phase) {
      case 'version': {
        if (b.length < 12) return null;
        const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(b.toString('latin1', 0, 12));
        if (!m) return { kind: 'failed', reason: `not an RFB server (greeting ${JSON.stringify(b.toString('latin1', 0, 12))})` };
        this.take(12);
        this.phase = 'security';
        return { kind: 'version', major: Number(m[1]), minor: Number(m[2]) };
      }
      case 'security': {
        if (b.length < 1) return null;
        const n = b[0]!;
        if (n === 0) return this.reason(1, 'the server refused the connection');
        if (b.length < 1 + n) return null;
        const types = [...b.subarray(1, 1 + n)];
        this.take(1 + n);
        this.phase = 'security-result';
        return { kind: 'security-types', types };
      }
      case 'security-result': {
        if (b.length < 4) return null;
        if (b.readUInt32BE(0) !== 0) return this.reason(4, 'security handshake failed');
        this.take(4);
        this.phase = 'server-init';
        return { kind: 'security-result', ok: true };
      }
      case 'server-init': {
        if (b.length < 24) return null;
        const nameLen = b.readUInt32BE(20);
        if (nameLen > 4096) return { kind: 'failed', reason: `ServerInit name of ${nameLen} bytes` };
        if (b.length < 24 + nameLen) return null;
        const item: RfbServerItem = { kind: 'server-init', width: b.readUInt16BE(0), height: b.readUInt16BE(2), name: b.toString('utf8', 24, 24 + nameLen) };
        this.take(24 + nameLen);
        this.phase = 'messages';
        return item;
      }
      case 'messages':
        return this.message();
      default:
        return null;
    }
  }

  private message(): RfbServerItem | null {
    const b = this.buf;
    if (b.length < 1) return null;
    const type = b[0]!;
    if (type === 0) {
      if (b.length < 4) return null;
      const count = b.readUInt16BE(2);
      const rects: RfbRect[] = [];
      let at = 4;
      for (let i = 0; i < count; i++) {
        if (b.length < at + 12) return null;
        const r: RfbRect = { x: b.readUInt16BE(at), y: b.readUInt16BE(at + 2), width: b.readUInt16BE(at + 4), height: b.readUInt16BE(at + 6), encoding: b.readInt32BE(at + 8) };
        at += 12;
        if (!PAYLOAD_FREE_ENCODINGS.has(r.encoding)) return { kind: 'failed', reason: `a framebuffer update in encoding ${r.encoding}, which this client never asked for` };
        if (r.encoding === -261) {
          if (b.length < at + 1) return null;
          at += 1;
        }
        rects.push(r);
      }
      this.take(at);
      return { kind: 'framebuffer-update', rects };
    }
    if (type === 1) {
      // SetColourMapEntries: type, padding, first colour, count, then 6 bytes a colour.
      if (b.length < 6) return null;
      const len = 6 + 6 * b.readUInt16BE(4);
      if (b.length < len) return null;
      this.take(len);
      return this.message();
    }
    if (type === 2) {
      this.take(1);
      return { kind: 'bell' };
    }
    if (type === 3) {
      if (b.length < 8) return null;
      const len = b.readUInt32BE(4);
      if (len > 1 << 20) return { kind: 'failed', reason: `server cut text of ${len} bytes` };
      if (b.length < 8 + len) return null;
      const text = b.toString('latin1', 8, 8 + len);
      this.take(8 + len);
      return { kind: 'cut-text', text };
    }
    return { kind: 'failed', reason: `unknown server message type ${type}` };
  }

  /** A failure with the server's reason string (u32 length + text) after `skip` bytes. */
  private reason(skip: number, what: string): RfbServerItem | null {
    const b = this.buf;
    if (b.length < skip + 4) return null;
    const len = b.readUInt32BE(skip);
    if (len > 4096) return { kind: 'failed', reason: what };
    if (b.length < skip + 4 + len) return null;
    return { kind: 'failed', reason: `${what}: ${b.toString('latin1', skip + 4, skip + 4 + len)}` };
  }

  private take(n: number): void {
    this.buf = this.buf.subarray(n);
  }
}
