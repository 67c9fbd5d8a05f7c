/**
 * Agent protocol v1, frame layer (docs/agent-protocol.md §1): encode, and a streaming decoder
 * that finds frame boundaries again after garbage.
 *
 *   0 magic "BT" | 2 version 1 | 3 type | 4 channel u16 | 6 length N u16 (≤ 4096)
 *   8 request id u32 | 12 seq u32 | 16 ack u32 | 20 payload | 20+N CRC-32 of bytes 0…20+N−1
 *
 * The decoder never throws. Whatever arrives (split anywhere, random bytes, a corrupted or cut
 * frame) becomes frames plus a count of skipped bytes; a rejected candidate is skipped one
 * byte past its first magic byte and scanning resumes there, so a good frame that starts inside
 * a bad candidate is still found.
 */

export const MAGIC0 = 0x42; // 'B'
export const MAGIC1 = 0x54; // 'T'
export const VERSION = 1;
export const HEADER_BYTES = 20;
export const CRC_BYTES = 4;
export const MAX_PAYLOAD = 4096;
export const MAX_FRAME = HEADER_BYTES + MAX_PAYLOAD + CRC_BYTES; // 4120

export const FrameType = {
  HELLO: 0x01,
  HELLO_ACK: 0x02,
  ACK: 0x03,
  REQ: 0x10,
  RESP: 0x11,
  RESP_PART: 0x12,
  ERR: 0x13,
  STREAM: 0x20,
  STREAM_END: 0x21,
  EVENT: 0x30,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const KNOWN_TYPES = new Set<number>(Object.values(FrameType));
export function isKnownType(t: number): t is FrameType {
  return KNOWN_TYPES.has(t);
}
/** Application frames carry a link sequence number; HELLO, HELLO_ACK and ACK do not. */
export function isSequenced(t: number): boolean {
  return t >= 0x10;
}

export function frameTypeName(t: number): string {
  for (const [k, v] of Object.entries(FrameType)) if (v === t) return k;
  return `0x${t.toString(16)}`;
}

export interface Frame {
  type: FrameType;
  channel: number;
  requestId: number;
  seq: number;
  ack: number;
  payload: Buffer;
}

// ---- CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320: the same as zlib's crc32) ----
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `buf`; pass the previous result as `crc` to continue over several pieces. */
export function crc32(buf: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function encodeFrame(f: { type: number; channel?: number; requestId?: number; seq?: number; ack?: number; payload?: Uint8Array }): Buffer {
  const payload = f.payload ?? Buffer.alloc(0);
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`frame payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const buf = Buffer.allocUnsafe(HEADER_BYTES + payload.length + CRC_BYTES);
  buf[0] = MAGIC0;
  buf[1] = MAGIC1;
  buf[2] = VERSION;
  buf[3] = f.type;
  buf.writeUInt16LE(f.channel ?? 0, 4);
  buf.writeUInt16LE(payload.length, 6);
  buf.writeUInt32LE((f.requestId ?? 0) >>> 0, 8);
  buf.writeUInt32LE((f.seq ?? 0) >>> 0, 12);
  buf.writeUInt32LE((f.ack ?? 0) >>> 0, 16);
  buf.set(payload, HEADER_BYTES);
  buf.writeUInt32LE(crc32(buf.subarray(0, HEADER_BYTES + payload.length)), HEADER_BYTES + payload.length);
  return buf;
}

export interface DecodeResult {
  frames: Frame[];
  /** Bytes skipped as garbage during this push (not part of any accepted frame). */
  skipped: number;
}

/**
 * Incremental decoder. Feed it chunks; it returns the frames that became complete.
 *
 * Bytes live in one growable buffer (`start`…`end` undecided); a push only copies the new
 * chunk in, and decoding resumes only once enough bytes are there for the candidate at hand,
 * so a frame that arrives a few bytes at a time (QEMU writes the UART byte by byte) costs
 * O(frame size), not O(frame size²).
 */
export class FrameDecoder {
  private buf: Buffer = Buffer.allocUnsafe(2 * MAX_FRAME);
  private start = 0;
  private end = 0;
  /** Undecided bytes needed before decoding can make progress. */
  private need = 1;
  /** Totals since creation (for status and tests). */
  framesDecoded = 0;
  bytesSkipped = 0;

  push(chunk: Uint8Array): DecodeResult {
    if (chunk.length === 0) return { frames: [], skipped: 0 };
    this.append(chunk);
    if (this.end - this.start < this.need) return { frames: [], skipped: 0 };
    return this.drain();
  }

  /** True when the buffered bytes start with a candidate frame that is not complete yet. */
  get hasPartialCandidate(): boolean {
    return this.end > this.start;
  }

  /** Bytes buffered, waiting for the rest of a candidate frame. */
  get buffered(): number {
    return this.end - this.start;
  }

  /**
   * Give up on the candidate frame that waits for more bytes (the link calls this when the
   * stream stalls mid-frame: a corrupted length field must not hold later frames back until
   * 4120 bytes have arrived). Scanning resumes one byte past its magic.
   */
  abandonCandidate(): DecodeResult {
    if (this.end === this.start) return { frames: [], skipped: 0 };
    this.start += 1;
    const r = this.drain();
    return { frames: r.frames, skipped: r.skipped + 1 };
  }

  private append(chunk: Uint8Array): void {
    const rest = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (rest + chunk.length > this.buf.length) {
        const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, rest + chunk.length + MAX_FRAME));
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      } else {
        this.buf.copy(this.buf, 0, this.start, this.end);
      }
      this.start = 0;
      this.end = rest;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  private drain(): DecodeResult {
    const frames: Frame[] = [];
    let skipped = 0;
    const b = this.buf;
    const end = this.end;
    for (;;) {
      // Scan for the magic.
      const from = this.start;
      let i = from;
      while (i < end && !(b[i] === MAGIC0 && (i + 1 >= end || b[i + 1] === MAGIC1))) i++;
      skipped += i - from;
      this.start = i;
      const avail = end - i;
      if (avail < 8) {
        this.need = avail === 0 ? 1 : 8; // need magic, version, type, channel, length
        break;
      }
      const version = b[i + 2]!;
      const type = b[i + 3]!;
      const len = b.readUInt16LE(i + 6);
      if (version !== VERSION || !isKnownType(type) || len > MAX_PAYLOAD) {
        this.start = i + 1;
        skipped += 1;
        continue;
      }
      const total = HEADER_BYTES + len + CRC_BYTES;
      if (avail < total) {
        this.need = total;
        break;
      }
      const want = b.readUInt32LE(i + HEADER_BYTES + len);
      if (crc32(b.subarray(i, i + HEADER_BYTES + len)) !== want) {
        this.start = i + 1;
        skipped += 1;
        continue;
      }
      frames.push({
        type: type as FrameType,
        channel: b.readUInt16LE(i + 4),
        requestId: b.readUInt32LE(i + 8),
        seq: b.readUInt32LE(i + 12),
        ack: b.readUInt32LE(i + 16),
        payload: Buffer.from(b.subarray(i + HEADER_BYTES, i + HEADER_BYTES + len)),
      });
      this.start = i + total;
    }
    if (this.start === this.end) this.start = this.end = 0;
    this.framesDecoded += frames.length;
    this.bytesSkipped += skipped;
    return { frames, skipped };
  }
}

// ---- Fields: a sequence of u32 length + bytes ----

export type FieldInput = string | number | Uint8Array;

export function encodeFields(fields: readonly FieldInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    const data = typeof f === 'number' ? Buffer.from(String(f)) : typeof f === 'string' ? Buffer.from(f, 'utf8') : Buffer.from(f.buffer, f.byteOffset, f.byteLength);
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32LE(data.length, 0);
    parts.push(len, data);
  }
  return Buffer.concat(parts);
}

/** Decode fields; null when the bytes are not a whole number of well-formed fields. */
export function decodeFields(buf: Uint8Array): Buffer[] | null {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    if (b.length - i < 4) return null;
    const n = b.readUInt32LE(i);
    i += 4;
    if (n > b.length - i) return null;
    out.push(b.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Bytes a field of `dataBytes` takes in a payload. */
export function fieldSize(dataBytes: number): number {
  return 4 + dataBytes;
}
