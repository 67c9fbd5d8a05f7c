/**
 * Which of QEMU's `input_event_key_qcode` trace lines (qemu/trace-log.ts) belongs to the key the
 * replayer just sent, on the replayer's clock. Lines of keys sent by somebody else meanwhile
 * (the user in the Screen pane) or before this key are skipped; a key whose line is not there
 * yet gets none, and the report uses its QMP round trip instead.
 */
import { TraceLogTail, parseKeyTrace, realtimeMinusPerfMs } from '../qemu/trace-log';
import { hostNowMs } from '../util/clock';

export class KeyTraceMatcher {
  private readonly tail: TraceLogTail;
  private readonly pending: { qcode: string; down: boolean; at: number }[] = [];
  /** Wall clock − performance clock, ms: trace stamps are wall-clock µs. */
  private offsetMs: number;
  private calibratedAt: number;

  constructor(logFile: string) {
    this.tail = new TraceLogTail(logFile);
    this.offsetMs = realtimeMinusPerfMs();
    this.calibratedAt = performance.now();
  }

  /** Performance-clock ms at which QEMU handled this key, sent at `sentAt`; null when unknown. */
  take(qcode: string, down: boolean, sentAt: number): number | null {
    for (const t of this.tail.read()) {
      const k = parseKeyTrace(t);
      if (k) this.pending.push({ ...k, at: t.realtimeUs / 1000 - this.offsetMs });
    }
    if (this.pending.length > 1000) this.pending.splice(0, this.pending.length - 1000);
    // A line from well before the send is another key's (the clocks agree to well under a
    // millisecond; the margin covers a reading taken by a preempted thread).
    const i = this.pending.findIndex((p) => p.qcode === qcode && p.down === down && p.at >= sentAt - 5);
    if (i < 0) return null;
    const hit = this.pending[i]!;
    this.pending.splice(0, i + 1);
    // The two clocks drift apart (measured: 0.5 ms in 15 s on this VM), so the offset is taken
    // again twice a second — once QEMU has handled the key: its ≤ 3 ms spin would otherwise take
    // a core from QEMU's main loop at the very moment it reads the key. The device's minimum gap
    // keeps the next key ≥ 12 ms away.
    if (performance.now() - this.calibratedAt > 500) {
      this.offsetMs = realtimeMinusPerfMs();
      this.calibratedAt = performance.now();
    }
    return hit.at;
  }

  /**
   * take(), polled until the line is there or `timeoutMs` passed: for a key sent without an
   * answer (VNC), QEMU's trace is the only sign that it went in.
   */
  async waitFor(qcode: string, down: boolean, sentAt: number, timeoutMs: number, pause: () => void | Promise<void>): Promise<number | null> {
    const until = hostNowMs() + timeoutMs;
    for (;;) {
      const at = this.take(qcode, down, sentAt);
      if (at !== null || hostNowMs() > until) return at;
      // Not spinning: the line carries QEMU's own time, so reading it a little later loses nothing.
      await pause();
    }
  }

  close(): void {
    this.tail.close();
  }
}
