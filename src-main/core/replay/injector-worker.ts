/**
 * The replayer's worker thread (E5: injection latency measured and compensated). It runs the
 * timing loop of ./replayer.ts with keys sent over the session's second QMP monitor, which is
 * this worker's alone. Why a thread and a connection of its own (measured, docs/input.md):
 * in the main thread a key's send was late by up to ~6 ms whenever the monitor's samples, the
 * agent link or SQLite held the event loop, and the answer was read late for the same reason;
 * on the shared QMP connection a key queued behind a screendump or an HMP command. Console
 * bytes go back to the main thread, which owns the console socket, and it writes them at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordingDoc } from '../../../src-shared/features/recording';
import { BenchtopError } from '../../../src-shared/errors';
import { qmpKeyEvent } from '../input/keys';
import { QmpClient } from '../qmp/client';
import { KeyTraceMatcher } from './key-trace';
import { replayDocument, waitUntil, type Injector, type ReplayRun } from './replayer';

export interface InjectorWorkerData {
  /** The session's replay QMP socket (QemuSession.sockets.replayQmp). */
  qmpSocket: string;
  /** The input device's minimum gap between key events (input/keys.ts minEventGapMs). */
  minGapMs: number;
  /** QEMU's -D log when it traces input_event_key_qcode (qemu/trace-log.ts), else null. */
  traceLog: string | null;
}

export type ToInjectorWorker = { type: 'run'; doc: RecordingDoc; speed: number } | { type: 'cancel' } | { type: 'close' };

export type FromInjectorWorker =
  | { type: 'ready' }
  | { type: 'start'; t0: number }
  | { type: 'console'; data: string }
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; run: ReplayRun }
  | { type: 'failed'; code: string; message: string };

const now = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('injector-worker.ts runs as a worker thread');
  const send = (m: FromInjectorWorker) => port.postMessage(m);
  const { qmpSocket, minGapMs, traceLog } = (workerData as { data: InjectorWorkerData }).data;
  let qmp: QmpClient;
  try {
    // QEMU made the socket before the session became running: a short wait is enough.
    qmp = await QmpClient.connect(qmpSocket, { timeoutMs: 2000 });
  } catch (e) {
    send({ type: 'failed', code: e instanceof BenchtopError ? e.code : 'internal', message: `replay QMP connection: ${(e as Error).message}` });
    port.close();
    return;
  }
  let trace: KeyTraceMatcher | null = null;
  /** Host ms of QEMU's answer to the previous key: the device's gap is counted from there. */
  let lastKeyAt = -Infinity;
  const injector: Injector = {
    async key(key, down) {
      await waitUntil(lastKeyAt + minGapMs, now);
      const sent = now();
      try {
        await qmp.execute('input-send-event', qmpKeyEvent(key, down));
      } finally {
        lastKeyAt = now();
      }
      // QEMU wrote its trace line before it answered: the true injection time, when it is there.
      return { latencyUs: (lastKeyAt - sent) * 1000, injectedAt: trace?.take(key, down, sent) ?? undefined };
    },
    console: (data) => send({ type: 'console', data }),
  };
  let abort: AbortController | null = null;
  port.on('message', (m: ToInjectorWorker) => {
    if (m.type === 'cancel') abort?.abort();
    else if (m.type === 'close') {
      abort?.abort();
      trace?.close();
      qmp.close();
      port.close();
    } else if (m.type === 'run') {
      abort = new AbortController();
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
        signal: abort.signal,
        onStart: (t0) => send({ type: 'start', t0 }),
        onInjected: (done, total) => send({ type: 'progress', done, total }),
      }).then(
        (run) => send({ type: 'done', run }),
        (e: Error) => send({ type: 'failed', code: e instanceof BenchtopError ? e.code : 'internal', message: e.message }),
      );
    }
  });
  send({ type: 'ready' });
}

void main();
