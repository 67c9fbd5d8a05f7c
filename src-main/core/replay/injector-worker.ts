/**
 * The replayer's worker thread (E5: injection latency measured and compensated). It runs the
 * timing loop of ./replayer.ts and sends the keys itself (docs/input.md, "Replay"):
 *  - over QEMU's VNC server as QEMU extended key events (vnc/key-client.ts) when QEMU traces
 *    its input layer (qemu/trace-log.ts) — a VNC key has no answer, the trace line is the proof
 *    and the time; QEMU reads it in its main loop (measured send → input layer p50 0.19 ms,
 *    p99 0.69 ms, against 1.04 / 2.27 ms for QMP, whose commands cross the monitor's I/O thread);
 *  - else over the session's second QMP monitor, this worker's alone.
 * Why a thread of its own: in the main thread a key's send was late by up to ~6 ms whenever
 * the monitor's samples, the agent link or SQLite held the event loop. Console bytes go back to
 * the main thread, which owns the console socket: CONSOLE_LEAD_MS before they are due, with
 * their due time, and it writes them then.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordingDoc } from '../../../src-shared/features/recording';
import { BenchtopError } from '../../../src-shared/errors';
import { QNUM_OF_QCODE, qmpKeyEvent } from '../input/keys';
import { QmpClient } from '../qmp/client';
import { RfbKeyClient } from '../vnc/key-client';
import { KeyTraceMatcher } from './key-trace';
import { replayDocument, waitUntil, type Injector, type ReplayRun } from './replayer';
import { hostNowMs } from '../util/clock';

export interface InjectorWorkerData {
  /** The session's replay QMP socket (QemuSession.sockets.replayQmp). */
  qmpSocket: string;
  /** The input device's minimum gap between key events (input/keys.ts minEventGapMs). */
  minGapMs: number;
  /** QEMU's -D log when it traces input_event_key_qcode (qemu/trace-log.ts), else null. */
  traceLog: string | null;
  /** QEMU's VNC socket (keys by scan code); used only together with the trace. */
  vncSocket: string | null;
}

/** How the worker sends keys; 'vnc' falls back to 'qmp' for keys VNC cannot carry. */
export type KeyPath = 'vnc' | 'qmp';

export type ToInjectorWorker = { type: 'run'; doc: RecordingDoc; speed: number } | { type: 'cancel' } | { type: 'close' };

export type FromInjectorWorker =
  | { type: 'ready' }
  | { type: 'start'; t0: number }
  | { type: 'console'; data: string; dueAt: number }
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; run: ReplayRun; keyPath: KeyPath }
  | { type: 'failed'; code: string; message: string };

const now = hostNowMs;
/**
 * How long a VNC key waits for its trace line: QEMU takes 0.2–3.5 ms (measured); longer would
 * hold up the next keys of a replay that has already lost this one's time.
 */
const TRACE_WAIT_MS = 50;
/**
 * How often the trace log is read while a key's line is due. The line carries QEMU's own time,
 * so reading it later costs no precision; reading often would wake this thread while QEMU's
 * main loop, on a 2-core host, needs the core to take the key.
 */
const TRACE_POLL_MS = 1;
/**
 * How early console bytes go to the main thread: its event loop may be busy for a few ms (a
 * screen frame, a monitor sample, a WebSocket message), and a message can only wait for that.
 */
const CONSOLE_LEAD_MS = 8;
const napCell = new Int32Array(new SharedArrayBuffer(4));
/** A precise sleep that does not spin: this thread has nothing else to do meanwhile. */
const nap = (ms: number) => void Atomics.wait(napCell, 0, 0, ms);

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('injector-worker.ts runs as a worker thread');
  const send = (m: FromInjectorWorker) => port.postMessage(m);
  const { qmpSocket, minGapMs, traceLog, vncSocket } = (workerData as { data: InjectorWorkerData }).data;
  let qmp: QmpClient;
  try {
    // QEMU made the socket before the session became running: a short wait is enough.
    qmp = await QmpClient.connect(qmpSocket, { timeoutMs: 2000 });
  } catch (e) {
    send({ type: 'failed', code: e instanceof BenchtopError ? e.code : 'internal', message: `replay QMP connection: ${(e as Error).message}` });
    port.close();
    return;
  }
  // VNC only with the trace: without an answer, QEMU's trace line is the only sign a key went in.
  let vnc: RfbKeyClient | null = null;
  if (vncSocket && traceLog) vnc = await RfbKeyClient.connect(vncSocket, { timeoutMs: 2000 }).catch(() => null);
  let trace: KeyTraceMatcher | null = null;
  /** Host ms QEMU took (or answered) the previous key: the device's gap is counted from there. */
  let lastKeyAt = -Infinity;
  const held = new Set<string>();
  let vncKeys = 0;
  const injector: Injector = {
    async key(key, down) {
      await waitUntil(lastKeyAt + minGapMs, now, undefined, nap);
      if (down) held.add(key);
      else held.delete(key);
      const qnum = QNUM_OF_QCODE[key];
      if (vnc?.isOpen && trace && qnum !== undefined && !consoleSwitch(key, held)) {
        const sent = now();
        vnc.key(qnum, down);
        vncKeys++;
        const injectedAt = await trace.waitFor(key, down, sent, TRACE_WAIT_MS, () => nap(TRACE_POLL_MS));
        lastKeyAt = injectedAt ?? now();
        // No trace line in time: the key's time is unknown, and the report says so.
        // latencyUs tells the replayer when the key was sent (after the device's gap).
        return { latencyUs: (now() - sent) * 1000, injectedAt: injectedAt ?? undefined };
      }
      const sent = now();
      try {
        await qmp.execute('input-send-event', qmpKeyEvent(key, down));
      } finally {
        lastKeyAt = now();
      }
      // QEMU wrote its trace line before it answered: the true injection time, when it is there.
      return { latencyUs: (lastKeyAt - sent) * 1000, injectedAt: trace?.take(key, down, sent) ?? undefined };
    },
    console: (data, dueAt) => send({ type: 'console', data, dueAt }),
    consoleLeadMs: CONSOLE_LEAD_MS,
  };
  let abort: AbortController | null = null;
  port.on('message', (m: ToInjectorWorker) => {
    if (m.type === 'cancel') abort?.abort();
    else if (m.type === 'close') {
      abort?.abort();
      trace?.close();
      vnc?.close();
      qmp.close();
      port.close();
    } else if (m.type === 'run') {
      abort = new AbortController();
      vncKeys = 0;
      try {
        trace?.close();
        trace = traceLog ? new KeyTraceMatcher(traceLog) : null;
      } catch {
        trace = null; // no trace to read: injection times fall back to the QMP round trip
      }
      replayDocument({
        doc: m.doc,
        speed: m.speed,
        injector,
        now,
        nap,
        signal: abort.signal,
        onStart: (t0) => send({ type: 'start', t0 }),
        onInjected: (done, total) => send({ type: 'progress', done, total }),
      }).then(
        // 'vnc' when keys went that way (a few console-switch chords may still have used QMP).
        (run) => send({ type: 'done', run, keyPath: vncKeys > 0 ? 'vnc' : 'qmp' }),
        (e: Error) => send({ type: 'failed', code: e instanceof BenchtopError ? e.code : 'internal', message: e.message }),
      );
    }
  });
  send({ type: 'ready' });
}

/**
 * QEMU's VNC server takes Ctrl+Alt+1…9 for switching its own consoles when the display is not
 * bound to one: those go through QMP, which hands every key to the guest.
 */
function consoleSwitch(key: string, held: ReadonlySet<string>): boolean {
  return /^[1-9]$/.test(key) && (held.has('ctrl') || held.has('ctrl_r')) && (held.has('alt') || held.has('alt_r'));
}

void main();
