/**
 * The console text of one session, kept outside React so it survives tab and session switches.
 *
 * Order of truth: the server's transcript (`console.transcript` → {data, totalBytes}) is the
 * baseline, live `console.output` chunks follow it. Each chunk carries the byte `offset` where it
 * starts in the session's whole transcript, so:
 *   - while a transcript fetch is in flight, live chunks are parked in `pending`;
 *   - when it arrives, the content becomes the transcript and parked chunks with
 *     `offset < totalBytes` are dropped (the transcript already has them), the rest appended;
 *   - afterwards a chunk is appended only if its offset is past everything seen so far, so a
 *     chunk delivered twice (or late, after the transcript that contains it) never shows twice.
 * Offsets are compared, never computed from string lengths: a chunk's text may be shorter or
 * longer in UTF-16 than its bytes, and the server may emit a chunk's text one event late when a
 * UTF-8 sequence straddles two reads.
 *
 * Memory is capped: the oldest text is dropped past `maxChars` (the terminal's own scrollback
 * is smaller anyway).
 */

export type SyncState =
  /** No baseline yet: live chunks are parked until a transcript arrives. */
  | 'unsynced'
  /** A transcript fetch is in flight: live chunks are parked. */
  | 'syncing'
  /** Content = transcript + every live chunk since. */
  | 'synced'
  /** Had a baseline but may have missed chunks (disconnect, failed fetch): live chunks are
   *  appended as they come, and the next transcript replaces everything. */
  | 'stale';

export type BufferEvent = { type: 'append'; data: string } | { type: 'reset' };

export interface Transcript {
  data: string;
  totalBytes: number;
  truncated: boolean;
}

export interface ConsoleBufferOptions {
  /** Cap of the kept text, in UTF-16 code units. */
  maxChars: number;
  /** Cap of the parked chunks while unsynced. */
  maxPendingChars: number;
}

export const DEFAULT_BUFFER_OPTIONS: ConsoleBufferOptions = {
  maxChars: 4 * 1024 * 1024,
  maxPendingChars: 4 * 1024 * 1024,
};

/** Appends merge into the last chunk up to this size, so the array stays short. */
const CHUNK_MERGE_CHARS = 64 * 1024;

export const TRUNCATED_NOTE = '\x1b[2m[… earlier output not shown: the transcript was cut to its tail …]\x1b[0m\r\n';

export class ConsoleBuffer {
  private chunks: string[] = [];
  private chars = 0;
  private pending: { offset: number; data: string }[] = [];
  private pendingChars = 0;
  /** Chunks that start before this byte offset are contained in the transcript. */
  private watermark = 0;
  /** Offset of the last chunk appended after the transcript (-1: none yet). */
  private lastOffset = -1;
  private syncGen = 0;
  private listeners = new Set<(e: BufferEvent) => void>();
  private _state: SyncState = 'unsynced';
  /** True once text was dropped to respect the cap. */
  private _trimmed = false;

  constructor(private readonly opts: ConsoleBufferOptions = DEFAULT_BUFFER_OPTIONS) {}

  get state(): SyncState {
    return this._state;
  }

  get trimmed(): boolean {
    return this._trimmed;
  }

  get size(): number {
    return this.chars;
  }

  /** True when a transcript fetch would help (never fetched, or may have missed output). */
  get needsSync(): boolean {
    return this._state === 'unsynced' || this._state === 'stale';
  }

  /** Everything kept, as one string. */
  content(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    return this.chunks[0] ?? '';
  }

  /** The end of the content holding at most `maxLines` line breaks (what a terminal can show). */
  tail(maxLines: number): string {
    const text = this.content();
    let pos = text.length;
    for (let n = 0; n < maxLines; n++) {
      const nl = text.lastIndexOf('\n', pos - 1);
      if (nl < 0) return text;
      pos = nl;
    }
    return text.slice(pos + 1);
  }

  subscribe(listener: (e: BufferEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A `console.output` chunk. */
  push(offset: number, data: string): void {
    if (!data) return;
    if (this._state === 'unsynced' || this._state === 'syncing') {
      this.pending.push({ offset, data });
      this.pendingChars += data.length;
      while (this.pendingChars > this.opts.maxPendingChars && this.pending.length > 1) {
        this.pendingChars -= this.pending.shift()!.data.length;
      }
      return;
    }
    this.acceptLive(offset, data);
  }

  /** A transcript fetch starts; pass the returned token to `applyTranscript` or `failSync`. */
  beginSync(): number {
    // Content already shown stays until the transcript replaces it; chunks from now on wait.
    this.syncGen++;
    this._state = 'syncing';
    return this.syncGen;
  }

  /** Returns false when a newer fetch superseded this one (its result is ignored). */
  applyTranscript(gen: number, t: Transcript): boolean {
    if (gen !== this.syncGen || this._state !== 'syncing') return false;
    const next = (t.truncated ? TRUNCATED_NOTE : '') + t.data;
    const old = this.content();
    if (!this._trimmed && old.length > 0 && next.startsWith(old)) {
      // The usual reconnect case: nothing was missed but the tail; no need to redraw.
      this.appendText(next.slice(old.length));
    } else {
      this.chunks = [];
      this.chars = 0;
      this._trimmed = false;
      this.store(next);
      this.emit({ type: 'reset' });
    }
    this.watermark = t.totalBytes;
    this.lastOffset = -1;
    this._state = 'synced';
    this.flushPending();
    return true;
  }

  /** The fetch failed: show the parked chunks as they are and try again later. */
  failSync(gen: number): void {
    if (gen !== this.syncGen || this._state !== 'syncing') return;
    this._state = 'stale';
    this.flushPending();
  }

  /** The connection dropped: output may be missed until the next transcript. */
  markStale(): void {
    if (this._state === 'synced') this._state = 'stale';
    else if (this._state === 'syncing') {
      // The fetch in flight fails with the connection; treat it as failed now.
      this.failSync(this.syncGen);
    }
  }

  /** A visual marker in the console (not part of the transcript, so a later resync drops it). */
  appendMarker(text: string): void {
    if (this._state === 'unsynced' || this._state === 'syncing') return;
    const content = this.content();
    const needsNewline = content.length > 0 && !content.endsWith('\n');
    this.appendText((needsNewline ? '\r\n' : '') + text);
  }

  // ---------------------------------------------------------------------------------------------

  private flushPending(): void {
    const parked = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    for (const p of parked) this.acceptLive(p.offset, p.data);
  }

  private acceptLive(offset: number, data: string): void {
    if (offset < this.watermark || offset <= this.lastOffset) return; // already have it
    this.lastOffset = offset;
    this.appendText(data);
  }

  private appendText(data: string): void {
    if (!data) return;
    this.store(data);
    this.emit({ type: 'append', data });
  }

  private store(data: string): void {
    const last = this.chunks.length - 1;
    if (last >= 0 && this.chunks[last]!.length + data.length <= CHUNK_MERGE_CHARS) this.chunks[last] += data;
    else this.chunks.push(data);
    this.chars += data.length;
    while (this.chars > this.opts.maxChars) {
      if (this.chunks.length > 1) {
        this.chars -= this.chunks.shift()!.length;
      } else {
        const only = this.chunks[0]!;
        this.chunks[0] = only.slice(only.length - this.opts.maxChars);
        this.chars = this.chunks[0].length;
      }
      this._trimmed = true;
    }
  }

  private emit(e: BufferEvent): void {
    for (const listener of [...this.listeners]) listener(e);
  }
}
