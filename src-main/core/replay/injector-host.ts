/**
 * The main thread's side of the replayer's worker (./injector-worker.ts): one worker per batch
 * of replays into one session, runs one at a time. The worker times and sends the keys; the
 * console bytes it schedules come back here, are written to the session's console at once, and
 * the moment of that write is what the report gives as their injection time. They arrive a few
 * ms early with their due time, and wait here — in order — until then.
 */
import { BenchtopError, type ErrorCode } from '../../../src-shared/errors';
import { startWorker } from '../util/worker';
import { waitUntil } from './replayer';
import type { FromInjectorWorker, InjectorWorkerData, ToInjectorWorker } from './injector-worker';
import type { ReplayRun, ReplayRunRequest, ReplayTarget } from './replayer';
import { hostNowMs } from '../util/clock';

export const INJECTOR_WORKER_ENTRY = new URL('./injector-worker.ts', import.meta.url);

export async function openInjectorWorker(o: InjectorWorkerData & { entry?: URL; writeConsole(data: string): void }): Promise<ReplayTarget> {
  const data: InjectorWorkerData = { qmpSocket: o.qmpSocket, minGapMs: o.minGapMs, traceLog: o.traceLog, vncSocket: o.vncSocket };
  const worker = startWorker(o.entry ?? INJECTOR_WORKER_ENTRY, data);
  const post = (m: ToInjectorWorker) => worker.postMessage(m);
  let listener: ((m: FromInjectorWorker) => void) | null = null;
  let gone: Error | null = null;
  const fail = (e: Error) => {
    gone ??= e;
    listener?.({ type: 'failed', code: 'internal', message: e.message });
  };
  worker.on('message', (m: FromInjectorWorker) => listener?.(m));
  worker.on('error', (e) => fail(new BenchtopError('internal', `replay worker failed: ${e.message}`)));
  worker.on('exit', (code) => fail(new BenchtopError('internal', `replay worker exited (code ${code})`)));

  await new Promise<void>((resolve, reject) => {
    listener = (m) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'failed') reject(new BenchtopError(m.code as ErrorCode, m.message));
    };
  }).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });

  let busy = false;
  return {
    run(r: ReplayRunRequest): Promise<ReplayRun> {
      if (gone) return Promise.reject(gone);
      if (busy) return Promise.reject(new BenchtopError('invalid-state', 'the replay worker is already running a replay'));
      busy = true;
      const written: number[] = [];
      let consoleChain: Promise<void> = Promise.resolve();
      let failed = false;
      const onAbort = () => post({ type: 'cancel' });
      r.signal?.addEventListener('abort', onAbort);
      return new Promise<ReplayRun>((resolve, reject) => {
        listener = (m) => {
          if (m.type === 'start') r.onStart?.(m.t0);
          else if (m.type === 'progress') r.onInjected?.(m.done, m.total);
          else if (m.type === 'console') {
            const { data, dueAt } = m;
            consoleChain = consoleChain.then(async () => {
              await waitUntil(dueAt, hostNowMs, r.signal);
              if (r.signal?.aborted || failed) return;
              try {
                const at = hostNowMs();
                o.writeConsole(data);
                written.push(at);
              } catch (e) {
                failed = true;
                post({ type: 'cancel' });
                reject(e as Error);
              }
            });
          } else if (m.type === 'done') {
            const run = m.run;
            const keyPath = m.keyPath;
            void consoleChain.then(() => {
              // The console's injection times are when this thread wrote the bytes, in order;
              // bytes a cancel caught before their time were not written at all.
              let i = 0;
              for (const res of run.results) {
                if (res.kind !== 'console' || res.injectedUs === null) continue;
                const at = written[i++];
                res.injectedUs = at === undefined ? null : (at - run.t0) * 1000;
              }
              resolve({ ...run, keyPath });
            });
          } else if (m.type === 'failed') reject(new BenchtopError(m.code as ErrorCode, m.message));
        };
        if (r.signal?.aborted) post({ type: 'cancel' });
        post({ type: 'run', doc: r.doc, speed: r.speed });
      }).finally(() => {
        busy = false;
        listener = null;
        r.signal?.removeEventListener('abort', onAbort);
      });
    },
    close() {
      listener = null;
      gone ??= new BenchtopError('invalid-state', 'the replay worker is closed');
      post({ type: 'close' });
      // A worker stuck in its final spin still ends: terminate if it has not closed by itself.
      setTimeout(() => void worker.terminate(), 1000).unref();
    },
  };
}
