/**
 * A headless session for one command-line operation: build (or reuse) the image, boot, wait
 * for the shell prompt and the target agent, run `fn`, then stop and delete the session
 * (unless `keep`). Ctrl-C stops QEMU before exiting.
 */
import { BenchtopError } from '../../src-shared/errors';
import { ensureAgent } from '../core/agent/deploy';
import { findBoard } from '../core/boards/profiles';
import { createCore, type Core } from '../core/core';

export interface HeadlessOptions {
  board: string;
  workspace?: string;
  timeoutMs: number;
  keep: boolean;
  name: string;
}

export function parseTimeout(seconds: string | undefined): number {
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms) || ms <= 0) throw new BenchtopError('bad-request', '--timeout must be a positive number of seconds');
  return ms;
}

export async function withHeadlessSession<T>(o: HeadlessOptions, fn: (core: Core, id: string) => Promise<T>): Promise<T> {
  const board = findBoard(o.board);
  if (!board) throw new BenchtopError('unsupported-board', `unknown board '${o.board}'`);
  const core = createCore({ workspace: o.workspace });
  const progress = (line: string) => process.stderr.write(line + '\n');
  const stopProgress = core.bus.on('image.progress', (p) => progress(`[image ${p.step}] ${p.message}`));
  const onSignal = () => void core.close().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  let id: string | null = null;
  try {
    await core.ensureImage(board.id);
    stopProgress();
    const s = core.sessions.create({ board: board.id, name: `${o.name} ${new Date().toISOString().slice(0, 19)}` });
    id = s.id;
    const t0 = performance.now();
    await core.sessions.start(id);
    await core.sessions.console(id).waitFor(new RegExp(board.promptPattern, 'm'), { timeoutMs: o.timeoutMs, from: 0 });
    const how = await ensureAgent(core, id, { timeoutMs: o.timeoutMs, onProgress: progress });
    progress(`[agent] connected after ${Math.round(performance.now() - t0)} ms (${how === 'image' ? 'agent of the image' : 'deployed through the console'})`);
    return await fn(core, id);
  } finally {
    stopProgress();
    process.off('SIGINT', onSignal);
    if (id) {
      await core.sessions.stop(id).catch(() => undefined); // already ended
      if (!o.keep) await core.sessions.delete(id).catch(() => undefined);
    }
    await core.close();
  }
}
