/**
 * QMP wire codec: JSON objects, one per line, over a byte stream (docs/qmp.md).
 *
 * The decoder never throws: whatever arrives (split anywhere, binary garbage, a line longer
 * than the limit, valid JSON that is not a QMP message) becomes either a typed message or a
 * `garbage` item that says what was wrong, and decoding carries on at the next newline.
 */

export interface QmpGreeting {
  kind: 'greeting';
  version: unknown;
  capabilities: unknown;
}
export interface QmpReturn {
  kind: 'return';
  id: string | number | null;
  value: unknown;
}
export interface QmpErrorReply {
  kind: 'error';
  id: string | number | null;
  errorClass: string;
  desc: string;
}
export interface QmpEvent {
  kind: 'event';
  event: string;
  data: Record<string, unknown>;
  /** Host time of the event in microseconds since the epoch, from QEMU's timestamp. */
  timestampUs: number | null;
}
export interface QmpGarbage {
  kind: 'garbage';
  reason: string;
  /** The start of the offending text (at most 200 chars) for logs. */
  sample: string;
}
export type QmpMessage = QmpGreeting | QmpReturn | QmpErrorReply | QmpEvent;
export type QmpDecoded = QmpMessage | QmpGarbage;

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export function classify(value: unknown): QmpMessage | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : null;
  if ('QMP' in o && typeof o.QMP === 'object' && o.QMP !== null) {
    const q = o.QMP as Record<string, unknown>;
    return { kind: 'greeting', version: q.version, capabilities: q.capabilities };
  }
  if ('return' in o) return { kind: 'return', id, value: o.return };
  if ('error' in o && typeof o.error === 'object' && o.error !== null) {
    const e = o.error as Record<string, unknown>;
    return {
      kind: 'error',
      id,
      errorClass: typeof e.class === 'string' ? e.class : 'GenericError',
      desc: typeof e.desc === 'string' ? e.desc : JSON.stringify(e),
    };
  }
  if (typeof o.event === 'string') {
    const ts = o.timestamp as { seconds?: unknown; microseconds?: unknown } | undefined;
    const timestampUs =
      ts && typeof ts.seconds === 'number' && typeof ts.microseconds === 'number'
        ? ts.seconds * 1_000_000 + ts.microseconds
        : null;
    const data = typeof o.data === 'object' && o.data !== null && !Array.isArray(o.data) ? (o.data as Record<string, unknown>) : {};
    return { kind: 'event', event: o.event, data, timestampUs };
  }
  return null;
}

/** Incremental line decoder. Feed it chunks; it returns what became complete. */
export class QmpDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while skipping the rest of an over-long line. */
  private discarding = false;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  push(chunk: Uint8Array): QmpDecoded[] {
    const out: QmpDecoded[] = [];
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) {
        this.append(buf, out);
        return out;
      }
      this.append(buf.subarray(0, nl), out);
      buf = buf.subarray(nl + 1);
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      const line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      const item = decodeLine(line);
      if (item) out.push(item);
    }
  }

  private append(part: Buffer, out: QmpDecoded[]): void {
    if (part.length === 0 || this.discarding) return;
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      const head = Buffer.concat([...this.pending, part]).subarray(0, 200).toString('utf8');
      out.push({ kind: 'garbage', reason: `line longer than ${this.maxLineBytes} bytes`, sample: head });
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      return;
    }
    // Copy: the caller may reuse its chunk buffer.
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
  }
}

function decodeLine(line: Buffer): QmpDecoded | null {
  const text = line.toString('utf8').trim();
  if (text === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'garbage', reason: `not JSON: ${(err as Error).message}`, sample: text.slice(0, 200) };
  }
  return classify(value) ?? { kind: 'garbage', reason: 'JSON but not a QMP message', sample: text.slice(0, 200) };
}

/** Encode a command. QMP accepts one JSON object per line; ids let replies find their caller. */
export function encodeCommand(execute: string, args: Record<string, unknown> | undefined, id: string | number): Buffer {
  const cmd: Record<string, unknown> = { execute, id };
  if (args !== undefined) cmd.arguments = args;
  return Buffer.from(JSON.stringify(cmd) + '\n', 'utf8');
}
