/**
 * Simulated time and an unreliable byte pipe, for testing the link layer (and everything above
 * it) deterministically and fast: no real timers, no sockets.
 */
import type { Clock } from './link';

interface Timer {
  at: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

export class SimClock implements Clock {
  t = 0;
  private order = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: Timer = { at: this.t + Math.max(0, ms), order: this.order++, fn, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(h: unknown): void {
    if (h) (h as Timer).cancelled = true;
  }

  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Run the next due timer; false when none is left. */
  step(): boolean {
    this.timers = this.timers.filter((t) => !t.cancelled);
    if (!this.timers.length) return false;
    let best = 0;
    for (let i = 1; i < this.timers.length; i++) {
      const a = this.timers[i]!;
      const b = this.timers[best]!;
      if (a.at < b.at || (a.at === b.at && a.order < b.order)) best = i;
    }
    const t = this.timers.splice(best, 1)[0]!;
    this.t = Math.max(this.t, t.at);
    t.fn();
    return true;
  }

  /** Run timers until `done()` holds, no timer is left, or simulated time passes `untilMs`. */
  run(done: () => boolean, untilMs = Infinity): boolean {
    for (;;) {
      if (done()) return true;
      if (this.t > untilMs) return false;
      if (!this.step()) return done();
    }
  }
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PipeFaults {
  /** Probability that one write loses a run of bytes. */
  drop: number;
  /** Probability that one write gets a corrupted byte. */
  corrupt: number;
  /** Probability that garbage is inserted before a write. */
  insert: number;
  /** Probability that a write is split and delivered in several pieces. */
  split: number;
}

export const NO_FAULTS: PipeFaults = { drop: 0, corrupt: 0, insert: 0, split: 0 };

/** One direction of a byte stream: in order, with latency, and with faults per write. */
export class SimPipe {
  private lastDelivery = 0;
  bytesIn = 0;
  faultsInjected = 0;
  /** Stop injecting faults (e.g. to check that the link settles). */
  faultsOn = true;

  constructor(
    private readonly clock: SimClock,
    private readonly deliver: (b: Buffer) => void,
    private readonly rnd: () => number,
    private readonly faults: PipeFaults = NO_FAULTS,
    private readonly latencyMs = 2,
    /** Bytes per ms (0 = infinite): writes queue behind each other like a UART. */
    private readonly bytesPerMs = 0,
  ) {}

  write = (buf: Buffer): void => {
    let b = Buffer.from(buf);
    this.bytesIn += b.length;
    const f = this.faultsOn ? this.faults : NO_FAULTS;
    if (this.rnd() < f.insert) {
      const junk = Buffer.alloc(1 + Math.floor(this.rnd() * 40));
      for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(this.rnd() * 256);
      if (this.rnd() < 0.3) junk[0] = 0x42; // make some junk look like a frame start
      if (this.rnd() < 0.3 && junk.length > 1) junk[1] = 0x54;
      b = Buffer.concat([junk, b]);
      this.faultsInjected++;
    }
    if (b.length && this.rnd() < f.drop) {
      const at = Math.floor(this.rnd() * b.length);
      const n = 1 + Math.floor(this.rnd() * Math.min(64, b.length - at));
      b = Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
      this.faultsInjected++;
    }
    if (b.length && this.rnd() < f.corrupt) {
      const at = Math.floor(this.rnd() * b.length);
      b[at] = b[at]! ^ (1 + Math.floor(this.rnd() * 255));
      this.faultsInjected++;
    }
    const pieces: Buffer[] = [];
    if (b.length > 1 && this.rnd() < f.split) {
      const cut = 1 + Math.floor(this.rnd() * (b.length - 1));
      pieces.push(b.subarray(0, cut), b.subarray(cut));
    } else pieces.push(b);
    for (const p of pieces) {
      const wire = this.bytesPerMs > 0 ? p.length / this.bytesPerMs : 0;
      const at = Math.max(this.lastDelivery, this.clock.now() + this.latencyMs) + wire;
      this.lastDelivery = at;
      this.clock.setTimeout(() => this.deliver(p), at - this.clock.now());
    }
  };
}
