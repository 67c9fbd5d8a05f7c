/**
 * Replaying one recording document into one session with its original timing (E3, E5).
 *
 * Scheduling: every event has a target host time t0 + t / speed. The loop sleeps with timers
 * while far, then closes in without spinning (a precise nap in the worker thread the core runs
 * it in, ./injector-worker.ts; yielding turns elsewhere) and spins only for the final fraction
 * of a millisecond — timers alone are late by 1–2 ms under load, and spinning longer would
 * starve everything else on the host's two cores (see waitUntil).
 *
 * Compensation (seed 000's open problem): a key is injected by a QMP command, which QEMU
 * executes some time after our send. When the injector reports when QEMU really handled the key
 * (QEMU's own trace of its input layer), that is the injection time and the send → injection
 * delay is what the next keys are sent ahead by (the median of the last 15). Without it, QEMU ran the
 * command somewhere inside the round trip: the middle is taken, and half a round trip is the
 * lead. Console bytes go into the console socket synchronously: no compensation; an injector
 * that writes them elsewhere (the worker hands them to the main thread) asks for them early
 * (`consoleLeadMs`) with their due time, and waits for that itself.
 */
import type { RecordedEvent, RecordingDoc } from '../../../src-shared/features/recording';
import type { ReplayEventResult } from '../../../src-shared/features/replay';
import { hostNowMs } from '../util/clock';

export interface Injector {
  /**
   * Resolves when QEMU answered the injection command; with `latencyUs` when the input path
   * measured the command's own round trip (it may first wait for the device's minimum gap
   * between events, which is not QMP latency), and `injectedAt` (host ms, the `now` clock)
   * when it knows when QEMU handled the key.
   */
  key(key: string, down: boolean): Promise<{ latencyUs?: number; injectedAt?: number } | void>;
  /** Console bytes, now — or, with `consoleLeadMs`, that much before `dueAt` (host ms). */
  console(data: string, dueAt: number): void;
  /** How early console bytes are handed over, ms (the receiver waits until they are due). */
  consoleLeadMs?: number;
}

export interface ReplayRun {
  /** Host ms of time zero. */
  t0: number;
  results: ReplayEventResult[];
  /** Mean time the key injections were sent ahead by, µs (null: no keys). */
  compensationUs: number | null;
  /** Keys whose injection time is QEMU's own (the rest: the middle of the QMP round trip). */
  tracedKeys: number;
  /** How the keys were sent, when the target says (the injector worker: 'vnc' or 'qmp'). */
  keyPath?: 'vnc' | 'qmp';
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
  /** A precise synchronous sleep (worker threads only); without it the loop yields turns. */
  nap?: Nap;
  onStart?(t0: number): void;
  onInjected?(done: number, total: number): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldTurn = () => new Promise<void>((r) => setImmediate(r));

export function labelOf(e: RecordedEvent): string {
  if (e.kind === 'key') return `${e.key} ${e.down ? '↓' : '↑'}`;
  if (e.kind === 'console') return JSON.stringify(e.data).slice(1, -1);
  return `marker ${e.text}`;
}

/**
 * A synchronous sleep with sub-millisecond resolution that does not spin (the injector worker's
 * Atomics.wait: oversleeps p50 0.09 ms, p99 0.54 ms on this host). Never on the main thread.
 */
export type Nap = (ms: number) => void;

/**
 * How early a nap must end for the final spin to absorb its oversleep (p99 0.54 ms measured on
 * an idle host; more with QEMU busy on the other core).
 */
const NAP_MARGIN_MS = 1;
/** Timers below this: they fire up to ~2 ms late on a loaded 2-core host. */
const TIMER_MARGIN_MS = 4;

/**
 * Wait until `at` (host ms): timers while far, then — with a nap — one precise sleep, or
 * yielding turns without one, and a spin only for the last fraction of a millisecond. Spinning
 * longer costs a core the 2-core host's QEMU needs for the very key being timed.
 */
export async function waitUntil(at: number, now: () => number, signal?: AbortSignal, nap?: Nap): Promise<void> {
  for (;;) {
    if (signal?.aborted) return;
    const left = at - now();
    if (left <= 0) return;
    if (nap && left > TIMER_MARGIN_MS) await sleep(Math.min(left - TIMER_MARGIN_MS, 100));
    else if (!nap && left > 2.5) await sleep(Math.min(left - 2, 100));
    else if (nap && left > NAP_MARGIN_MS) nap(left - NAP_MARGIN_MS);
    else if (!nap && left > 0.5) await yieldTurn();
    else {
      while (now() < at) {
        /* the last fraction of a millisecond */
      }
      return;
    }
  }
}

export async function replayDocument(o: ReplayOptions): Promise<ReplayRun> {
  const now = o.now ?? hostNowMs;
  const playable = o.doc.events.filter((e) => e.kind !== 'marker');
  const results: ReplayEventResult[] = o.doc.events.map((e) => ({ eventId: e.id, kind: e.kind, label: labelOf(e), scheduledUs: e.t / o.speed, injectedUs: null, guestUs: null }));
  const byId = new Map(results.map((r) => [r.eventId, r]));
  const t0 = now() + (o.leadMs ?? 200);
  o.onStart?.(t0);
  let leadMs = 0.2; // first guess; replaced by the first measurement
  const recent: number[] = [];
  let measured = 0;
  let traced = 0;
  let compensationSum = 0;
  let done = 0;
  for (const e of playable) {
    if (o.signal?.aborted) break;
    const target = t0 + e.t / 1000 / o.speed;
    const r = byId.get(e.id)!;
    if (e.kind === 'key') {
      await waitUntil(target - leadMs, now, o.signal, o.nap);
      if (o.signal?.aborted) break;
      let sent = now();
      const answer = await o.injector.key(e.key, e.down);
      const answered = now();
      if (answer && answer.latencyUs !== undefined) sent = answered - answer.latencyUs / 1000;
      const injected = answer && answer.injectedAt !== undefined ? answer.injectedAt : (sent + answered) / 2;
      if (answer && answer.injectedAt !== undefined) traced++;
      r.injectedUs = (injected - t0) * 1000;
      compensationSum += leadMs;
      // The lead is the median of the last delays: one stalled key (a host hiccup of 5–15 ms)
      // must not make the next keys early, as an average would.
      recent.push(Math.max(0, injected - sent));
      if (recent.length > LEAD_WINDOW) recent.shift();
      leadMs = medianOf(recent);
      measured++;
    } else if (e.kind === 'console') {
      await waitUntil(target - (o.injector.consoleLeadMs ?? 0), now, o.signal, o.nap);
      if (o.signal?.aborted) break;
      o.injector.console(e.data, target);
      r.injectedUs = (now() - t0) * 1000;
    }
    done++;
    o.onInjected?.(done, playable.length);
  }
  return { t0, results, compensationUs: measured ? (compensationSum / measured) * 1000 : null, tracedKeys: traced };
}

/** How many of the last send → injection delays the lead is the median of. */
const LEAD_WINDOW = 15;

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentileOf(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** One replay run as the replay service asks for it, wherever the timing loop runs. */
export interface ReplayRunRequest {
  doc: RecordingDoc;
  speed: number;
  signal?: AbortSignal;
  onStart?(t0: number): void;
  onInjected?(done: number, total: number): void;
}

/**
 * Where a batch of replays runs: the injector worker with its own QMP connection for real
 * sessions (./injector-host.ts), or this thread with any Injector (unit tests, fakes).
 */
export interface ReplayTarget {
  run(r: ReplayRunRequest): Promise<ReplayRun>;
  close(): void;
}

export function inProcessTarget(injector: Injector, now?: () => number): ReplayTarget {
  return { run: (r) => replayDocument({ ...r, injector, now }), close: () => undefined };
}
