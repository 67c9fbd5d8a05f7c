/**
 * QEMU's trace events as its "log" backend writes them into the -D log file
 * (docs/qemu-trace.md). With `-msg timestamp=on` each line carries the host wall-clock time,
 * in microseconds, at which QEMU's own thread hit the trace point:
 *
 *   <thread id>@<seconds>.<microseconds>:<event name> <arguments>
 *   20057@1795397643.506995:input_event_key_qcode con -1, key qcode a, down 1
 *
 * The replayer uses `input_event_key_qcode` as the true moment a key entered QEMU's input
 * layer — a QMP answer only bounds it (measured: the command waits in QEMU's monitor for most
 * of a slow round trip, so the middle of the round trip is early by up to ~8 ms under load).
 */
import fs from 'node:fs';

export interface TraceLine {
  tid: number;
  /** Host wall clock (CLOCK_REALTIME), µs since the epoch. */
  realtimeUs: number;
  event: string;
  args: string;
}

const LINE = /^(\d+)@(\d+)\.(\d{6}):([A-Za-z0-9_]+)(?: (.*))?$/;

/** One trace line, or null for anything else the log holds (QEMU's messages, a torn line). */
export function parseTraceLine(line: string): TraceLine | null {
  const m = LINE.exec(line.endsWith('\r') ? line.slice(0, -1) : line);
  if (!m) return null;
  return { tid: Number(m[1]), realtimeUs: Number(m[2]) * 1_000_000 + Number(m[3]), event: m[4]!, args: (m[5] ?? '').trimEnd() };
}

export function formatTraceLine(t: TraceLine): string {
  const sec = Math.floor(t.realtimeUs / 1_000_000);
  const us = String(t.realtimeUs % 1_000_000).padStart(6, '0');
  return `${t.tid}@${sec}.${us}:${t.event}${t.args ? ` ${t.args}` : ''}`;
}

/** ui/trace-events: input_event_key_qcode(int conidx, const char *qcode, bool down). */
export const KEY_TRACE_EVENT = 'input_event_key_qcode';

export function parseKeyTrace(t: TraceLine): { qcode: string; down: boolean } | null {
  if (t.event !== KEY_TRACE_EVENT) return null;
  const m = /^con -?\d+, key qcode (\S+), down ([01])$/.exec(t.args);
  return m ? { qcode: m[1]!, down: m[2] === '1' } : null;
}

/**
 * Lines appended to a log file since the last read; a line QEMU has not finished writing waits
 * for the next read. Reads are synchronous and small (what was appended), so a timing loop can
 * call it right after a QMP answer.
 */
export class TraceLogTail {
  private offset = 0;
  private partial = '';
  private fd: number;

  constructor(file: string, opts: { fromStart?: boolean } = {}) {
    this.fd = fs.openSync(file, 'r');
    if (!opts.fromStart) this.offset = fs.fstatSync(this.fd).size;
  }

  read(): TraceLine[] {
    const out: TraceLine[] = [];
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = fs.readSync(this.fd, buf, 0, buf.length, this.offset);
      if (n <= 0) break;
      this.offset += n;
      const text = this.partial + buf.toString('latin1', 0, n);
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const l of lines) {
        const t = parseTraceLine(l);
        if (t) out.push(t);
      }
      if (n < buf.length) break;
    }
    return out;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/**
 * Wall clock − this process's performance clock (performance.timeOrigin + performance.now()),
 * ms, to a few µs: Date.now() has whole milliseconds, so the offset is taken at the instant it
 * ticks over. A thread preempted between its two reads would see the tick late and the offset
 * too large, so it is the smallest of `ticks` such readings (a spin of up to `ticks` ms).
 */
export function realtimeMinusPerfMs(ticks = 3): number {
  let best = Infinity;
  for (let i = 0; i < ticks; i++) {
    const start = Date.now();
    let d: number;
    let p: number;
    do {
      p = performance.timeOrigin + performance.now();
      d = Date.now();
    } while (d === start);
    best = Math.min(best, d - p);
  }
  return best;
}
