/**
 * Agent protocol v1, link layer (docs/agent-protocol.md §2) over any byte stream.
 *
 * Reliable, ordered, flow-controlled delivery of application frames: sequence numbers,
 * cumulative acks carried by every frame, a window of 8 unacknowledged frames, go-back-N
 * retransmission (on a standalone ACK that acknowledges nothing new, or when the oldest frame
 * is older than the retransmit timeout), delayed standalone ACKs (20 ms; at once when half a
 * window is waiting to be acknowledged), and the HELLO /
 * HELLO_ACK handshake that resets both sides.
 *
 * The link owns nothing but bytes: the owner passes what it reads to `receive()` and the link
 * writes through the `write` callback. Timers go through a `Clock`, so tests run the link on
 * simulated time.
 *
 * Host-side choices the spec leaves open (all of them only ever make the host more patient
 * or quieter, never less reliable):
 * - The retransmit timeout adapts (Jacobson/Karn) with 300 ms as its floor: a window of 4 KiB
 *   frames takes longer than 300 ms to cross a 56 KB/s UART, and a fixed 300 ms would resend
 *   frames that are still queued in the socket, making the queue longer each time.
 * - A go-back-N on duplicate ACKs happens once per ack value and not within one RTO of the
 *   previous resend (the copies of that resend are acknowledged as duplicates, and resending
 *   on those acks again would feed itself); the RTO covers the rest. The immediate ACK for a
 *   gap goes once per missing frame, so a burst of out-of-order frames does not turn into a
 *   burst of resends.
 * - A side resets when it sends a HELLO and when it receives one; a HELLO_ACK resets nothing,
 *   it only ends the HELLO repetition (docs/agent-protocol.md §2). One that arrives while the
 *   host is already up answers a HELLO repeated before the first answer came: ignored.
 * - If the peer's ack goes backwards, or frames stay unacknowledged through several timeouts,
 *   the peer has lost its state without a HELLO reaching us (a reboot whose HELLO was lost):
 *   the host handshakes again.
 * - Optionally (`timeoutFillerBytes`), before a resend on timeout and before HELLOs, one
 *   maximal frame's worth of zeros, for a peer whose decoder lacks the 200 ms stall rule: the
 *   filler completes (and so rejects) a candidate that garbage started there.
 * - Two RTT estimates (frames sent into an empty window, frames queued behind others), so a
 *   ping after a big transfer does not inherit the transfer's long timeout.
 * - Frames that arrive after a gap are kept (two windows' worth), not dropped: when the missing
 *   frame comes, the cumulative ack jumps over them at once and the peer's go-back-N round
 *   skips what is already here. Delivery stays exactly once and in order; to the sender this
 *   only looks like a receiver that acks more at a time.
 * - A candidate frame that stops receiving bytes half-way (a corrupted length field makes the
 *   decoder wait for up to 4120 bytes) is abandoned after `stallMs`.
 */
import { EventEmitter } from 'node:events';
import { encodeFrame, FrameDecoder, FrameType, isSequenced, type Frame } from './frame-codec';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Delay of the host's standalone ACKs. 20 ms like the agent's. A longer one (100 ms) cut the
 * monitor sampler's cost in the guest (ACK frames: 8.1 % → 6.2 % of the guest CPU at 10 Hz) but
 * made the recovery from garbage on the UART miss its 1 s bound now and then (the agent's
 * stalled candidate frame is abandoned later when fewer host bytes arrive), so it stays 20 ms.
 */
export const HOST_ACK_DELAY_MS = 20;

export interface LinkOptions {
  /** The host starts handshakes and repeats HELLO; the agent announces itself once. */
  role: 'host' | 'agent';
  /** Our capabilities text (HELLO / HELLO_ACK payload). */
  capabilities: string;
  write: (bytes: Buffer) => void;
  clock?: Clock;
  window?: number;
  /** Floor (and initial value) of the retransmit timeout. */
  rtoMs?: number;
  maxRtoMs?: number;
  /** Delay of a standalone ACK (default 20 ms). */
  ackDelayMs?: number;
  helloIntervalMs?: number;
  stallMs?: number;
  /** Consecutive retransmit timeouts without progress before the host handshakes again. */
  maxTimeouts?: number;
  /**
   * Filler bytes (zeros) sent before a resend on timeout and before HELLOs (default 0; 4120 =
   * MAX_FRAME for a peer whose decoder has no stall timer):
   * if garbage with a valid-looking header made the peer's decoder wait for up to 4120 bytes,
   * the filler completes that candidate (which then fails its CRC) instead of the resent frames
   * being swallowed by it one retransmission at a time. Zeros hold no magic: a decoder skips them.
   */
  timeoutFillerBytes?: number;
  /**
   * Payload bytes in flight at most (besides the window of 8 frames). The host → guest UART
   * moves ~56 KB/s at 115200 baud: 8 full frames would take ~0.6 s to cross, longer than the
   * retransmit timeout. 12 KiB keeps the line busy (its bandwidth × delay is far smaller)
   * without queueing more than ~0.2 s. Default: 12 KiB for the host, unlimited for the agent.
   */
  maxBytesInFlight?: number;
}

export interface LinkMessage {
  type: number;
  channel: number;
  requestId: number;
  payload: Buffer;
}

export type LinkState = 'idle' | 'handshaking' | 'up' | 'closed';

export interface LinkStats {
  framesSent: number;
  framesReceived: number;
  retransmits: number;
  timeouts: number;
  duplicates: number;
  outOfOrder: number;
  bytesSkipped: number;
  resets: number;
}

export interface LinkEvents {
  /** An application frame, delivered exactly once and in order. */
  message: [LinkMessage];
  /** The link state was reset (epoch is the new epoch): frames of earlier epochs are gone. */
  reset: [{ epoch: number; reason: string }];
  /** The link is usable; `peerCapabilities` is the peer's HELLO / HELLO_ACK text. */
  up: [{ epoch: number; peerCapabilities: string }];
  /** The send queue emptied after frames had to wait for room in the window. */
  drain: [];
}

export class LinkDownError extends Error {
  constructor(message = 'agent link is not up') {
    super(message);
    this.name = 'LinkDownError';
  }
}

interface Outgoing {
  seq: number;
  msg: LinkMessage;
  sentAt: number;
  retransmitted: boolean;
  /** Payload bytes in flight ahead of this frame when it was first sent. */
  ahead: number;
}

/** Jacobson/Karels smoothed RTT. */
class RttEstimator {
  srtt = 0;
  rttvar = 0;
  sample(r: number): void {
    if (this.srtt === 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
  }
  rto(min: number, max: number): number {
    if (this.srtt === 0) return min;
    return Math.min(max, Math.max(min, this.srtt + 4 * this.rttvar));
  }
}

export class Link extends EventEmitter<LinkEvents> {
  state: LinkState = 'idle';
  /** Incremented on every reset; the client fails requests of older epochs. */
  epoch = 0;
  peerCapabilities = '';
  readonly stats: LinkStats = { framesSent: 0, framesReceived: 0, retransmits: 0, timeouts: 0, duplicates: 0, outOfOrder: 0, bytesSkipped: 0, resets: 0 };

  private readonly clock: Clock;
  private readonly window: number;
  private readonly minRto: number;
  private readonly maxRto: number;
  private readonly ackDelayMs: number;
  private readonly helloIntervalMs: number;
  private readonly stallMs: number;
  private readonly maxTimeouts: number;
  private readonly maxBytesInFlight: number;
  private readonly filler: Buffer;
  private bytesInFlight = 0;
  private readonly decoder = new FrameDecoder();

  private nextSeq = 1;
  private expected = 1;
  private lastAckFromPeer = 0;
  private unacked: Outgoing[] = [];
  private queue: LinkMessage[] = [];
  /**
   * Two RTT estimates: frames sent into an empty window (a request on an idle link) and frames
   * queued behind others (a transfer). Mixing them would leave a small request after a big
   * transfer with the transfer's long timeout.
   */
  private readonly rttIdle = new RttEstimator();
  private readonly rttLoaded = new RttEstimator();
  /** Doubles per timeout without progress (Karn), back to 1 on a valid sample. */
  private backoff = 1;
  private consecutiveTimeouts = 0;
  private fastResentAt = -1;
  private lastResendAt = -Infinity;
  private gapAckedFor = 0;
  private unackedByUs = 0;
  /** Frames received after a gap, by seq, until the gap is filled. */
  private readonly ooo = new Map<number, Frame>();
  private wasFull = false;

  private rtoTimer: unknown = null;
  private ackTimer: unknown = null;
  private helloTimer: unknown = null;
  private stallTimer: unknown = null;

  constructor(private readonly opts: LinkOptions) {
    super();
    this.clock = opts.clock ?? realClock;
    this.window = opts.window ?? 8;
    this.minRto = opts.rtoMs ?? 300;
    this.maxRto = opts.maxRtoMs ?? 3000;
    this.ackDelayMs = opts.ackDelayMs ?? (opts.role === 'host' ? HOST_ACK_DELAY_MS : 20);
    this.helloIntervalMs = opts.helloIntervalMs ?? 500;
    this.stallMs = opts.stallMs ?? 200;
    this.maxTimeouts = opts.maxTimeouts ?? 8;
    this.filler = Buffer.alloc(opts.timeoutFillerBytes ?? 0);
    this.maxBytesInFlight = opts.maxBytesInFlight ?? (opts.role === 'host' ? 12 * 1024 : Infinity);
  }

  get isUp(): boolean {
    return this.state === 'up';
  }
  /** Frames sent and not yet acknowledged. */
  get inFlight(): number {
    return this.unacked.length;
  }
  /** Frames waiting for room in the window. */
  get queued(): number {
    return this.queue.length;
  }
  /** The retransmit timeout that applies to the oldest unacknowledged frame now. */
  get currentRtoMs(): number {
    const oldest = this.unacked[0];
    const est = oldest && oldest.ahead > 0 ? this.rttLoaded : this.rttIdle;
    return Math.min(this.maxRto, est.rto(this.minRto, this.maxRto) * this.backoff);
  }

  /** Host: start handshaking (HELLO every helloIntervalMs until answered). Agent: announce. */
  start(): void {
    if (this.state === 'closed') return;
    if (this.opts.role === 'host') this.handshake('connect');
    else {
      this.resetState('agent start');
      this.state = 'up';
      this.sendControl(FrameType.HELLO, Buffer.from(this.opts.capabilities));
    }
  }

  /** Host: throw the link state away and handshake again (e.g. after a stream reconnect). */
  handshake(reason: string): void {
    if (this.state === 'closed') return;
    this.resetState(reason);
    this.state = 'handshaking';
    let n = 0;
    const hello = () => {
      if (this.state !== 'handshaking') return;
      // The agent may sit on half a frame from before (a lost connection, garbage): complete
      // it with filler so that the HELLO is read as a frame (again every 4th HELLO).
      if (this.filler.length && n++ % 4 === 0) this.opts.write(this.filler);
      this.sendControl(FrameType.HELLO, Buffer.from(this.opts.capabilities));
      this.helloTimer = this.clock.setTimeout(hello, this.helloIntervalMs);
    };
    hello();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.resetState('link closed');
    this.state = 'closed';
  }

  /** Queue an application frame. Throws LinkDownError unless the link is up. */
  send(msg: LinkMessage): void {
    if (this.state !== 'up') throw new LinkDownError(this.state === 'closed' ? 'agent link closed' : 'agent link is not up (handshaking)');
    if (!isSequenced(msg.type)) throw new Error(`frame type ${msg.type} is not an application frame`);
    this.queue.push(msg);
    this.pump();
  }

  /** Bytes read from the stream. */
  receive(chunk: Uint8Array): void {
    if (this.state === 'closed') return;
    const { frames, skipped } = this.decoder.push(chunk);
    this.stats.bytesSkipped += skipped;
    this.armStall();
    for (const f of frames) {
      if ((this.state as LinkState) === 'closed') return;
      this.onFrame(f);
    }
  }

  // ---- receiving ----

  private onFrame(f: Frame): void {
    switch (f.type) {
      case FrameType.HELLO: {
        const caps = f.payload.toString('utf8');
        this.resetState(this.state === 'up' ? 'peer sent HELLO (agent restarted)' : 'peer sent HELLO');
        this.state = 'up';
        this.sendControl(FrameType.HELLO_ACK, Buffer.from(this.opts.capabilities));
        this.peerCapabilities = caps;
        this.emit('up', { epoch: this.epoch, peerCapabilities: caps });
        return;
      }
      case FrameType.HELLO_ACK: {
        // Resets nothing (we reset when we sent our HELLO): it only ends the HELLO repetition.
        // While up it answers a HELLO repeated before the first answer came: ignored.
        if (this.state !== 'handshaking') return;
        const caps = f.payload.toString('utf8');
        this.state = 'up';
        if (this.helloTimer !== null) this.clock.clearTimeout(this.helloTimer);
        this.helloTimer = null;
        this.peerCapabilities = caps;
        this.emit('up', { epoch: this.epoch, peerCapabilities: caps });
        return;
      }
    }
    if (this.state !== 'up') return; // frames of an earlier link incarnation
    this.onAck(f.ack, f.type === FrameType.ACK);
    if (f.type === FrameType.ACK) return;
    if (!isSequenced(f.type) || f.seq === 0) return;
    this.stats.framesReceived++;
    if (f.seq === this.expected) {
      // In order: deliver it, and the frames that arrived after a gap and were kept.
      const batch: Frame[] = [f];
      this.expected++;
      for (let next = this.ooo.get(this.expected); next; next = this.ooo.get(this.expected)) {
        this.ooo.delete(this.expected);
        batch.push(next);
        this.expected++;
      }
      this.gapAckedFor = 0;
      // The ack jumped over kept frames: say so at once, so the peer's go-back-N round skips
      // them. Half a window unacknowledged: ack at once too, so a streaming peer never waits
      // for the delayed ACK with a full window.
      this.unackedByUs += batch.length;
      if (batch.length > 1 || this.unackedByUs >= Math.max(1, this.window >> 1)) this.sendAckNow();
      else this.scheduleAck();
      const epoch = this.epoch;
      for (const m of batch) {
        if (this.epoch !== epoch || this.state !== 'up') return; // a handler reset or closed the link
        this.emit('message', { type: m.type, channel: m.channel, requestId: m.requestId, payload: m.payload });
      }
    } else if (seqLess(f.seq, this.expected)) {
      this.stats.duplicates++;
      this.scheduleAck();
    } else {
      this.stats.outOfOrder++;
      // Keep it (within two windows): the cumulative ack still only covers frames in order,
      // but once the gap is filled it covers these too and the sender need not resend them.
      if (((f.seq - this.expected) >>> 0) < 2 * this.window && !this.ooo.has(f.seq)) this.ooo.set(f.seq, f);
      if (this.gapAckedFor !== this.expected) {
        this.gapAckedFor = this.expected;
        this.sendAckNow();
      }
    }
  }

  private onAck(ack: number, standalone: boolean): void {
    if (seqLess(ack, this.lastAckFromPeer)) {
      // The peer's state went backwards: it restarted and its HELLO never reached us.
      if (this.opts.role === 'host') this.handshake('peer acknowledgement went backwards (agent restarted?)');
      return;
    }
    if (!seqLess(ack, this.nextSeq)) return; // acknowledges frames never sent: ignore (garbage that passed the CRC)
    const now = this.clock.now();
    let progressed = false;
    let sample: { r: number; idle: boolean } | null = null;
    while (this.unacked.length && !seqLess(ack, this.unacked[0]!.seq)) {
      const o = this.unacked.shift()!;
      this.bytesInFlight -= o.msg.payload.length;
      if (!o.retransmitted) sample = { r: now - o.sentAt, idle: o.ahead === 0 };
      progressed = true;
    }
    this.lastAckFromPeer = ack;
    if (progressed) {
      this.consecutiveTimeouts = 0;
      this.fastResentAt = -1;
      // Karn: only frames sent once give RTT samples; a backed-off RTO stays until one does.
      if (sample !== null) {
        (sample.idle ? this.rttIdle : this.rttLoaded).sample(sample.r);
        this.backoff = 1;
      }
      this.clearRtoTimer();
      this.pump();
      if (this.unacked.length) this.armRto();
      return;
    }
    if (standalone && this.unacked.length && this.fastResentAt !== ack && this.clock.now() - this.lastResendAt >= this.currentRtoMs) {
      // Go-back-N on a duplicate ACK: once per ack value, and not while the copies of the last
      // resend may still be arriving (their duplicates are acknowledged too, and resending on
      // those acks would feed itself on a slow line).
      this.fastResentAt = ack;
      this.resendAll();
    }
  }

  // ---- sending ----

  private pump(): void {
    while (this.queue.length && this.unacked.length < this.window && this.state === 'up') {
      if (this.unacked.length && this.bytesInFlight + this.queue[0]!.payload.length > this.maxBytesInFlight) break;
      const msg = this.queue.shift()!;
      const o: Outgoing = { seq: this.nextSeq, msg, sentAt: 0, retransmitted: false, ahead: this.bytesInFlight };
      this.bytesInFlight += msg.payload.length;
      this.nextSeq = (this.nextSeq + 1) >>> 0 || 1;
      this.unacked.push(o);
      this.transmit(o);
    }
    const full = this.queue.length > 0;
    if (this.wasFull && !full) {
      this.wasFull = false;
      this.emit('drain');
    } else if (full) this.wasFull = true;
  }

  private transmit(o: Outgoing): void {
    o.sentAt = this.clock.now();
    this.stats.framesSent++;
    this.cancelAckTimer(); // this frame carries the ack
    this.unackedByUs = 0;
    this.opts.write(encodeFrame({ ...o.msg, seq: o.seq, ack: this.ackValue() }));
    if (this.rtoTimer === null) this.armRto();
  }

  private resendAll(): void {
    this.lastResendAt = this.clock.now();
    for (const o of this.unacked) {
      o.retransmitted = true;
      this.stats.retransmits++;
      this.transmit(o);
    }
    this.clearRtoTimer();
    if (this.unacked.length) this.armRto();
  }

  private sendControl(type: number, payload: Buffer = Buffer.alloc(0)): void {
    this.opts.write(encodeFrame({ type, ack: type === FrameType.ACK ? this.ackValue() : 0, payload }));
  }

  private ackValue(): number {
    return (this.expected - 1) >>> 0;
  }

  private sendAckNow(): void {
    this.cancelAckTimer();
    this.unackedByUs = 0;
    this.sendControl(FrameType.ACK);
  }

  private scheduleAck(): void {
    if (this.ackTimer !== null) return;
    this.ackTimer = this.clock.setTimeout(() => {
      this.ackTimer = null;
      this.unackedByUs = 0;
      if (this.state === 'up') this.sendControl(FrameType.ACK);
    }, this.ackDelayMs);
  }

  private cancelAckTimer(): void {
    if (this.ackTimer !== null) this.clock.clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }

  // ---- timers ----

  private armRto(): void {
    this.clearRtoTimer();
    this.rtoTimer = this.clock.setTimeout(() => {
      this.rtoTimer = null;
      if (this.state !== 'up' || !this.unacked.length) return;
      this.stats.timeouts++;
      this.consecutiveTimeouts++;
      if (this.opts.role === 'host' && this.consecutiveTimeouts > this.maxTimeouts) {
        this.handshake(`no acknowledgement after ${this.maxTimeouts} retransmissions`);
        return;
      }
      this.backoff = Math.min(this.backoff * 2, 64);
      if (this.filler.length) this.opts.write(this.filler);
      this.resendAll();
    }, this.currentRtoMs);
  }

  private clearRtoTimer(): void {
    if (this.rtoTimer !== null) this.clock.clearTimeout(this.rtoTimer);
    this.rtoTimer = null;
  }

  private armStall(): void {
    if (this.stallTimer !== null) this.clock.clearTimeout(this.stallTimer);
    this.stallTimer = null;
    if (!this.decoder.hasPartialCandidate) return;
    this.stallTimer = this.clock.setTimeout(() => {
      this.stallTimer = null;
      if (this.state === 'closed') return;
      const { frames, skipped } = this.decoder.abandonCandidate();
      this.stats.bytesSkipped += skipped;
      this.armStall();
      for (const f of frames) {
        if ((this.state as LinkState) === 'closed') return;
        this.onFrame(f);
      }
    }, this.stallMs);
  }

  private resetState(reason: string): void {
    this.epoch++;
    this.stats.resets++;
    this.nextSeq = 1;
    this.expected = 1;
    this.lastAckFromPeer = 0;
    this.unacked = [];
    this.queue = [];
    this.bytesInFlight = 0;
    this.consecutiveTimeouts = 0;
    this.fastResentAt = -1;
    this.lastResendAt = -Infinity;
    this.gapAckedFor = 0;
    this.unackedByUs = 0;
    this.ooo.clear();
    this.backoff = 1;
    this.clearRtoTimer();
    this.cancelAckTimer();
    if (this.helloTimer !== null) this.clock.clearTimeout(this.helloTimer);
    this.helloTimer = null;
    const wasFull = this.wasFull;
    this.wasFull = false;
    this.emit('reset', { epoch: this.epoch, reason });
    if (wasFull) this.emit('drain');
  }
}

/** Serial-number comparison (RFC 1982 style) so that u32 wrap-around is harmless. */
export function seqLess(a: number, b: number): boolean {
  return a !== b && ((b - a) >>> 0) < 0x80000000;
}
