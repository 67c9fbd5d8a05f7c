// A worker thread's first module when its entry is TypeScript (see ./worker.ts): tsx's module
// hooks, registered in the main thread, do not reach workers in Node 20, so register them here.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
