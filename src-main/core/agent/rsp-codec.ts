/**
 * GDB remote serial protocol (RSP) packet codec.
 *
 *   $<payload>#<2 hex digits: sum of the payload bytes mod 256>     a packet
 *   %<payload>#<checksum>                                           a notification
 *   +  -                                                            ack / nack (ack mode)
 *   0x03                                                            interrupt (host → stub)
 *
 * Binary payloads escape `$ # } *` as `}` followed by the byte XOR 0x20. Replies may be
 * run-length encoded: `X*n` repeats X (n − 29) more times; the checksum covers the bytes as
 * sent. The decoder expands run lengths and leaves escapes alone (only binary packets use
 * them: call `unescapeBinary` on those). It never throws: bytes outside packets become
 * `garbage` items, a packet cut short by a new `$` is dropped as garbage, and a bad checksum
 * is reported (`checksumOk: false`) so an ack-mode peer can send `-`.
 */

export type RspItem =
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'interrupt' }
  | { kind: 'packet'; data: Buffer; checksumOk: boolean }
  | { kind: 'notification'; data: Buffer; checksumOk: boolean }
  | { kind: 'garbage'; bytes: Buffer };

const DOLLAR = 0x24;
const HASH = 0x23;
const PERCENT = 0x25;
const BRACE = 0x7d;
const STAR = 0x2a;

export const MAX_PACKET = 1 << 20;

export function checksum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s = (s + b[i]!) & 0xff;
  return s;
}

const NEEDS_ESCAPE = new Set([DOLLAR, HASH, BRACE, STAR]);

export function escapeBinary(data: Uint8Array): Buffer {
  const out: number[] = [];
  for (const c of data) {
    if (NEEDS_ESCAPE.has(c)) out.push(BRACE, c ^ 0x20);
    else out.push(c);
  }
  return Buffer.from(out);
}

export function unescapeBinary(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === BRACE && i + 1 < data.length) out[n++] = data[++i]! ^ 0x20;
    else out[n++] = c;
  }
  return out.subarray(0, n);
}

/** Run-length encode (as gdbserver does for replies): runs of ≥ 4 become `X*n`. */
export function rleEncode(data: Uint8Array): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; ) {
    const c = data[i]!;
    let run = 1;
    while (i + run < data.length && data[i + run] === c && run < 98) run++;
    let extra = run - 1;
    // The count byte must not be '#' or '$' (extra 6 or 7): use a shorter run.
    while (extra === 6 || extra === 7) extra--;
    // An escaped byte's second half must not be repeated on its own; '}' itself never runs.
    if (extra >= 3 && c !== BRACE && !(i > 0 && data[i - 1] === BRACE)) {
      out.push(c, STAR, extra + 29);
      i += extra + 1;
    } else {
      out.push(c);
      i += 1;
    }
  }
  return Buffer.from(out);
}

/** Expand run-length encoding; escapes are kept as they are. */
export function rleDecode(raw: Uint8Array): Buffer {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === BRACE && i + 1 < raw.length) {
      out.push(c, raw[++i]!);
    } else if (c === STAR && out.length > 0 && i + 1 < raw.length) {
      const n = raw[++i]! - 29;
      const prev = out[out.length - 1]!;
      for (let k = 0; k < n; k++) out.push(prev);
    } else out.push(c);
  }
  return Buffer.from(out);
}

/** `$payload#cs`. The payload is escaped (a no-op for text commands) unless `escape: false`. */
export function encodePacket(payload: Uint8Array | string, o: { escape?: boolean; rle?: boolean; notification?: boolean } = {}): Buffer {
  let body: Buffer = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : Buffer.from(payload);
  if (o.escape !== false) body = escapeBinary(body);
  if (o.rle) body = rleEncode(body);
  const cs = checksum(body).toString(16).padStart(2, '0');
  return Buffer.concat([Buffer.from(o.notification ? '%' : '$'), body, Buffer.from('#' + cs, 'latin1')]);
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Streaming decoder. */
export class RspDecoder {
  private state: 'idle' | 'body' | 'cs1' | 'cs2' = 'idle';
  private notification = false;
  private body: number[] = [];
  private cs1 = 0;
  private garbage: number[] = [];

  push(chunk: Uint8Array): RspItem[] {
    const out: RspItem[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      switch (this.state) {
        case 'idle':
          if (c === DOLLAR || c === PERCENT) {
            this.flushGarbage(out);
            this.state = 'body';
            this.notification = c === PERCENT;
            this.body = [];
          } else if (c === 0x2b) {
            this.flushGarbage(out);
            out.push({ kind: 'ack' });
          } else if (c === 0x2d) {
            this.flushGarbage(out);
            out.push({ kind: 'nack' });
          } else if (c === 0x03) {
            this.flushGarbage(out);
            out.push({ kind: 'interrupt' });
          } else {
            this.garbage.push(c);
            if (this.garbage.length >= 4096) this.flushGarbage(out);
          }
          break;
        case 'body':
          if (c === HASH) this.state = 'cs1';
          else if (c === DOLLAR) {
            // A new packet starts: the one before lost its end.
            out.push({ kind: 'garbage', bytes: Buffer.from([this.notification ? PERCENT : DOLLAR, ...this.body]) });
            this.body = [];
            this.notification = false;
          } else if (this.body.length >= MAX_PACKET) {
            out.push({ kind: 'garbage', bytes: Buffer.from(this.body.slice(0, 64)) });
            this.body = [];
            this.state = 'idle';
          } else this.body.push(c);
          break;
        case 'cs1':
          this.cs1 = c;
          this.state = 'cs2';
          break;
        case 'cs2': {
          const raw = Buffer.from(this.body);
          const h = hexVal(this.cs1);
          const l = hexVal(c);
          const ok = h >= 0 && l >= 0 && ((h << 4) | l) === checksum(raw);
          out.push({ kind: this.notification ? 'notification' : 'packet', data: rleDecode(raw), checksumOk: ok });
          this.body = [];
          this.state = 'idle';
          break;
        }
      }
    }
    this.flushGarbage(out);
    return out;
  }

  private flushGarbage(out: RspItem[]): void {
    if (this.garbage.length) {
      out.push({ kind: 'garbage', bytes: Buffer.from(this.garbage) });
      this.garbage = [];
    }
  }
}

// ---- stop replies ----

export type StopReply =
  | {
      kind: 'stopped';
      /** Signal number (gdb numbering: 5 = SIGTRAP, 2 = SIGINT, 11 = SIGSEGV). */
      signal: number;
      /** Registers the stub included: number → raw bytes (target order). */
      registers: Map<number, Buffer>;
      thread: string | null;
      /** swbreak, hwbreak, watch, rwatch, awatch, library, fork, exec…, if given. */
      reason: string | null;
      raw: string;
    }
  | { kind: 'exited'; code: number; raw: string }
  | { kind: 'terminated'; signal: number; raw: string }
  | { kind: 'no-resumed'; raw: string }
  | { kind: 'other'; raw: string };

const REASONS = new Set(['watch', 'rwatch', 'awatch', 'swbreak', 'hwbreak', 'library', 'replaylog', 'fork', 'vfork', 'vforkdone', 'exec', 'create']);

export function parseStopReply(text: string): StopReply {
  const kind = text[0];
  if (kind === 'S' && /^S[0-9a-fA-F]{2}$/.test(text)) return { kind: 'stopped', signal: parseInt(text.slice(1, 3), 16), registers: new Map(), thread: null, reason: null, raw: text };
  if (kind === 'T' && /^T[0-9a-fA-F]{2}/.test(text)) {
    const registers = new Map<number, Buffer>();
    let thread: string | null = null;
    let reason: string | null = null;
    for (const part of text.slice(3).split(';')) {
      if (!part) continue;
      const colon = part.indexOf(':');
      const key = colon < 0 ? part : part.slice(0, colon);
      const val = colon < 0 ? '' : part.slice(colon + 1);
      if (key === 'thread') thread = val;
      else if (REASONS.has(key)) reason ??= key;
      else if (/^[0-9a-fA-F]+$/.test(key) && /^([0-9a-fA-F]{2})*$/.test(val)) registers.set(parseInt(key, 16), Buffer.from(val, 'hex'));
    }
    return { kind: 'stopped', signal: parseInt(text.slice(1, 3), 16), registers, thread, reason, raw: text };
  }
  if (kind === 'W' && /^W[0-9a-fA-F]{2}/.test(text)) return { kind: 'exited', code: parseInt(text.slice(1, 3), 16), raw: text };
  if (kind === 'X' && /^X[0-9a-fA-F]{2}/.test(text)) return { kind: 'terminated', signal: parseInt(text.slice(1, 3), 16), raw: text };
  if (text === 'N') return { kind: 'no-resumed', raw: text };
  return { kind: 'other', raw: text };
}

/** Is this reply text a stop reply (as opposed to OK, Exx, hex data, O output)? */
export function isStopReply(text: string): boolean {
  return /^(S[0-9a-fA-F]{2}$|T[0-9a-fA-F]{2}|W[0-9a-fA-F]{2}|X[0-9a-fA-F]{2}|N$)/.test(text);
}
