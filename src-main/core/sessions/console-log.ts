/**
 * The live console of one session: byte offsets, UTF-8 decoding across chunk boundaries,
 * batched writes to the store, and waiters for a pattern (prompt detection for the CLI/tests).
 */
import { StringDecoder } from 'node:string_decoder';
import { BenchtopError } from '../../../src-shared/errors';
import type { SessionStore } from '../store/session-store';

const FLUSH_MS = 100;
const FLUSH_BYTES = 64 * 1024;
const WATCH_WINDOW_CHARS = 256 * 1024;

interface Waiter {
  pattern: RegExp;
  fromChar: number;
  resolve: (m: RegExpExecArray & { endChar: number }) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class ConsoleLog {
  private decoder = new StringDecoder('utf8');
  private pending: { sessionId: string; run: number; at: number; offset: number; data: Buffer }[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Decoded text seen in this run (a sliding window), for waiters. */
  private text = '';
  /** Char index (in this run's decoded text) of text[0]. */
  private textBase = 0;
  private waiters = new Set<Waiter>();

  constructor(
    private readonly store: SessionStore,
    private readonly sessionId: string,
    private readonly run: number,
    public offset: number,
  ) {}

  /** Char position of the end of the text seen so far in this run (for `waitFor(from)`). */
  get charEnd(): number {
    return this.textBase + this.text.length;
  }

  /** Record raw bytes; returns the decoded text (may be '' mid-character) and its byte offset. */
  push(data: Buffer): { text: string; offset: number } {
    const offset = this.offset;
    this.offset += data.length;
    this.pending.push({ sessionId: this.sessionId, run: this.run, at: Date.now(), offset, data });
    this.pendingBytes += data.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
    const text = this.decoder.write(data);
    this.appendText(text);
    return { text, offset };
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.store.appendConsole(batch);
  }

  /** Wait until `pattern` matches console text that arrived at or after char `from`. */
  waitFor(pattern: RegExp, opts: { timeoutMs: number; from?: number }): Promise<RegExpExecArray & { endChar: number }> {
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pattern: new RegExp(pattern.source, pattern.flags.replace('g', '')),
        fromChar: opts.from ?? this.charEnd,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          reject(new BenchtopError('timeout', `console did not show /${pattern.source}/ within ${opts.timeoutMs} ms`));
        }, opts.timeoutMs),
      };
      this.waiters.add(w);
      this.check(w);
    });
  }

  /** The decoded text of this run from char `from` (as far as the window still holds it). */
  textFrom(from: number): string {
    return this.text.slice(Math.max(0, from - this.textBase));
  }

  close(reason: string): void {
    this.flush();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new BenchtopError('invalid-state', `console closed while waiting for /${w.pattern.source}/: ${reason}`));
    }
    this.waiters.clear();
  }

  private appendText(t: string): void {
    if (!t) return;
    this.text += t;
    if (this.text.length > WATCH_WINDOW_CHARS) {
      const drop = this.text.length - WATCH_WINDOW_CHARS / 2;
      this.text = this.text.slice(drop);
      this.textBase += drop;
    }
    for (const w of [...this.waiters]) this.check(w);
  }

  private check(w: Waiter): void {
    const start = Math.max(0, w.fromChar - this.textBase);
    const hay = this.text.slice(start);
    const m = w.pattern.exec(hay);
    if (!m) return;
    this.waiters.delete(w);
    clearTimeout(w.timer);
    const endChar = this.textBase + start + m.index + m[0].length;
    w.resolve(Object.assign(m, { endChar }));
  }
}
