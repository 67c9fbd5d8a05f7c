/**
 * Replaying one recording document into one session with its original timing (E3, E5).
 *
 * Scheduling: every event has a target host time t0 + t / speed. The loop sleeps with timers
 * until ~2 ms before, yields with setImmediate until 0.5 ms before, and spins only for the
 * final sub-millisecond — timers alone are late by 1–2 ms under load, spinning longer would
 * starve everything else in the process (the UI's events, the agent link).
 *
 * Compensation (seed 000's open problem): a key is injected by a QMP command, which QEMU
 * executes somewhere between our send and its answer — on average in the middle. So a key is
 * sent half a round trip before its target, with the round trip estimated from the previous
 * injections (exponential average), and its injection time is recorded as the middle of its
 * own round trip. Console bytes go into the console socket synchronously: no compensation.
 */
import type { RecordedEvent, RecordingDoc } from '../../../src-shared/features/recording';
import type { ReplayEventResult } from '../../../src-shared/features/replay';

export interface Injector {
  /**
   * Resolves when QEMU answered the injection command; with `latencyUs` when the input path
   * measured the command's own round trip (it may first wait for the device's minimum gap
   * between events, which is not QMP latency).
   */
  key(key: string, down: boolean): Promise<{ latencyUs?: number } | void>;
  console(data: string): void;
}

export interface ReplayRun {
  /** Host ms of time zero. */
  t0: number;
  results: ReplayEventResult[];
  /** Mean half round trip the key injections were sent ahead by, µs (null: no keys). */
  compensationUs: number | null;
}

export interface ReplayOptions {
  doc: RecordingDoc;
  speed: number;
  injector: Injector;
  /** Host clock, ms (sub-millisecond). */
  now?: () => number;
  /** Time between the call and time zero, so the first event is not late by set-up. */
  leadMs?: number;
  signal?: AbortSignal;
  onStart?(t0: number): void;
  onInjected?(done: number, total: number): void;
}

const defaultNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldTurn = () => new Promise<void>((r) => setImmediate(r));

export function labelOf(e: RecordedEvent): string {
  if (e.kind === 'key') return `${e.key} ${e.down ? '↓' : '↑'}`;
  if (e.kind === 'console') return JSON.stringify(e.data).slice(1, -1);
  return `marker ${e.text}`;
}

/** Wait until `at` (host ms): timers, then yielding turns, then a sub-millisecond spin. */
async function waitUntil(at: number, now: () => number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    if (signal?.aborted) return;
    const left = at - now();
    if (left <= 0) return;
    if (left > 2.5) await sleep(Math.min(left - 2, 100));
    else if (left > 0.5) await yieldTurn();
    else {
      while (now() < at) {
        /* the last half millisecond */
      }
      return;
    }
  }
}

export async function replayDocument(o: ReplayOptions): Promise<ReplayRun> {
  const now = o.now ?? defaultNow;
  const playable = o.doc.events.filter((e) => e.kind !== 'marker');
  const results: ReplayEventResult[] = o.doc.events.map((e) => ({ eventId: e.id, kind: e.kind, label: labelOf(e), scheduledUs: e.t / o.speed, injectedUs: null, guestUs: null }));
  const byId = new Map(results.map((r) => [r.eventId, r]));
  const t0 = now() + (o.leadMs ?? 200);
  o.onStart?.(t0);
  let halfRttMs = 0.2; // first guess; replaced by the first measurement
  let measured = 0;
  let compensationSum = 0;
  let done = 0;
  for (const e of playable) {
    if (o.signal?.aborted) break;
    const target = t0 + e.t / 1000 / o.speed;
    const r = byId.get(e.id)!;
    if (e.kind === 'key') {
      const sendAt = target - halfRttMs;
      await waitUntil(sendAt, now, o.signal);
      if (o.signal?.aborted) break;
      let sent = now();
      const answer = await o.injector.key(e.key, e.down);
      const answered = now();
      if (answer && answer.latencyUs !== undefined) sent = answered - answer.latencyUs / 1000;
      r.injectedUs = ((sent + answered) / 2 - t0) * 1000;
      compensationSum += halfRttMs;
      const half = (answered - sent) / 2;
      halfRttMs = measured === 0 ? half : halfRttMs * 0.8 + half * 0.2;
      measured++;
    } else if (e.kind === 'console') {
      await waitUntil(target, now, o.signal);
      if (o.signal?.aborted) break;
      o.injector.console(e.data);
      r.injectedUs = (now() - t0) * 1000;
    }
    done++;
    o.onInjected?.(done, playable.length);
  }
  return { t0, results, compensationUs: measured ? (compensationSum / measured) * 1000 : null };
}

export function percentileOf(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
