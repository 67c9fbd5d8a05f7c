/**
 * Starting a worker thread whose entry may be TypeScript. The CLI, the server and the tests run
 * the sources through tsx, whose module hooks do not reach worker threads in Node 20: such a
 * worker starts from ts-worker-boot.mjs, which registers tsx and then imports the entry. A built
 * entry (.js, as in the Electron bundle) starts directly. Either way the entry finds what it was
 * given in `workerData.data`.
 */
import { Worker } from 'node:worker_threads';

export function startWorker(entry: URL, data: unknown): Worker {
  const typescript = /\.m?ts$/.test(entry.pathname);
  const script = typescript ? new URL('./ts-worker-boot.mjs', import.meta.url) : entry;
  return new Worker(script, { workerData: { entry: entry.href, data } });
}
