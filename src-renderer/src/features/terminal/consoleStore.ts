/**
 * Console buffers of every session, fed from `console.output` from app start (see
 * app/controller.ts), whether or not a terminal is open. Terminals read and follow them.
 */
import type { Api } from '../../../../src-shared/transport';
import { ConsoleBuffer, DEFAULT_BUFFER_OPTIONS, type ConsoleBufferOptions } from './consoleBuffer';

export class ConsoleRegistry {
  private readonly buffers = new Map<string, ConsoleBuffer>();
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(private readonly opts: ConsoleBufferOptions = DEFAULT_BUFFER_OPTIONS) {}

  get(id: string): ConsoleBuffer {
    let b = this.buffers.get(id);
    if (!b) this.buffers.set(id, (b = new ConsoleBuffer(this.opts)));
    return b;
  }

  ids(): string[] {
    return [...this.buffers.keys()];
  }

  has(id: string): boolean {
    return this.buffers.has(id);
  }

  delete(id: string): void {
    this.buffers.delete(id);
    this.inflight.delete(id);
  }

  onOutput(p: { id: string; data: string; offset: number }): void {
    this.get(p.id).push(p.offset, p.data);
  }

  markAllStale(): void {
    for (const b of this.buffers.values()) b.markStale();
  }

  /**
   * Fetch the transcript of a session if its buffer needs one (or `force`). Concurrent calls for
   * the same session share one fetch. Rejects with the call's error (the buffer then shows the
   * live chunks it parked and stays marked for another try).
   */
  sync(api: Pick<Api, 'console'>, id: string, opts: { force?: boolean } = {}): Promise<void> {
    const buf = this.get(id);
    const running = this.inflight.get(id);
    if (running && buf.state === 'syncing') return running;
    if (!opts.force && !buf.needsSync) return Promise.resolve();
    const gen = buf.beginSync();
    const p = api.console
      .transcript({ id, maxBytes: this.opts.maxChars })
      .then(
        (t) => {
          buf.applyTranscript(gen, t);
        },
        (err: unknown) => {
          buf.failSync(gen);
          throw err;
        },
      )
      .finally(() => {
        if (this.inflight.get(id) === p) this.inflight.delete(id);
      });
    this.inflight.set(id, p);
    return p;
  }
}

/** The app's one registry. */
export const consoles = new ConsoleRegistry();
