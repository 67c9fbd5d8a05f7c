/**
 * A lock file (O_EXCL create) so that two builders — in this process or another — never
 * build the same image or touch the shared kernel tree at once. A lock whose owner process
 * is gone (killed build) is stale and taken over.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import { abortError } from './run';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await fs.readFile(lockPath, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface LockOptions {
  signal?: AbortSignal;
  /** Called once when the lock is held by someone else and we start waiting. */
  onWait?: (owner: LockOwner | undefined) => void;
  pollMs?: number;
}

export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  let told = false;
  for (;;) {
    if (opts.signal?.aborted) throw abortError();
    try {
      const fh = await fs.open(lockPath, 'wx');
      const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
      await fh.writeFile(JSON.stringify(me));
      await fh.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await fs.rm(lockPath, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(lockPath);
    if (owner && owner.host === os.hostname() && !alive(owner.pid)) {
      // The builder that held it died (kill -9, power cut): take it over.
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (!owner) {
      // Being written right now, or garbage: give the writer a moment, then judge by age.
      const st = await fs.stat(lockPath).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > 10_000) {
        await fs.rm(lockPath, { force: true });
        continue;
      }
    }
    if (!told) {
      told = true;
      opts.onWait?.(owner);
    }
    await sleep(opts.pollMs ?? 500, opts.signal);
  }
}

export async function withLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const release = await acquireLock(lockPath, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}
