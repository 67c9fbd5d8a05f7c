/** Test helper: a real core (real SQLite workspace in a temp folder, the real guest image). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mainstone } from '../src-main/core/boards/profiles';
import { createCore, type Core, type CoreOptions } from '../src-main/core/core';

export async function liveCore(opts: CoreOptions = {}): Promise<{ core: Core; dir: string; dispose(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-live-'));
  const core = createCore({ workspace: path.join(dir, 'workspace'), ...opts });
  // Build (or find in the cache) the image up front so that no test's timeout includes it.
  await core.ensureImage('mainstone');
  return {
    core,
    dir,
    async dispose() {
      await core.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PROMPT = new RegExp(mainstone.promptPattern, 'm');

/** Start a session and wait for the shell prompt; returns its id. */
export async function bootToPrompt(core: Core, name = 'test'): Promise<string> {
  const s = core.sessions.create({ board: 'mainstone', name });
  await core.sessions.start(s.id);
  await core.sessions.console(s.id).waitFor(PROMPT, { timeoutMs: 60_000, from: 0 });
  return s.id;
}

/** Resolve when `pred` holds for a session's summary (event-driven, with a deadline). */
export function waitForState(core: Core, id: string, state: string, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    if (core.sessions.get(id).state === state) return resolve(0);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`session ${id} did not reach ${state} within ${timeoutMs} ms (is ${core.sessions.get(id).state})`));
    }, timeoutMs);
    const off = core.bus.on('session.changed', (s) => {
      if (s.id === id && s.state === state) {
        clearTimeout(timer);
        off();
        resolve(performance.now() - t0);
      }
    });
  });
}
