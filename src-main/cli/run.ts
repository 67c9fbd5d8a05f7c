/** Headless run: boot a session, wait for the shell, type commands, collect what came back. */
import type { Core } from '../core/core';
import { findBoard } from '../core/boards/profiles';
import { BenchtopError } from '../../src-shared/errors';
import { runConsoleCommand } from '../core/sessions/console-commands';

export interface RunResult {
  ok: boolean;
  session: string;
  board: string;
  bootToPromptMs: number | null;
  commands: { cmd: string; output: string; exitCode: number | null }[];
  error: string | null;
}

export async function runHeadless(
  core: Core,
  o: { board: string; commands: string[]; timeoutMs: number; name?: string; onProgress?: (line: string) => void },
): Promise<RunResult> {
  const board = findBoard(o.board);
  if (!board) throw new BenchtopError('unsupported-board', `unknown board '${o.board}'`);
  const stopProgress = core.bus.on('image.progress', (p) => o.onProgress?.(`[image ${p.step}] ${p.message}`));
  const s = core.sessions.create({ board: board.id, name: o.name ?? `run ${new Date().toISOString()}` });
  const result: RunResult = { ok: false, session: s.id, board: board.id, bootToPromptMs: null, commands: [], error: null };
  try {
    // Image building can take minutes on a fresh machine; it is not boot time.
    await core.ensureImage(board.id);
    stopProgress();
    const t0 = performance.now();
    await core.sessions.start(s.id);
    const log = core.sessions.console(s.id);
    await log.waitFor(new RegExp(board.promptPattern, 'm'), { timeoutMs: o.timeoutMs, from: 0 });
    result.bootToPromptMs = Math.round(performance.now() - t0);
    o.onProgress?.(`[run] shell prompt after ${result.bootToPromptMs} ms`);
    for (const cmd of o.commands) {
      const r = await runConsoleCommand(core.sessions, s.id, cmd, { timeoutMs: o.timeoutMs });
      result.commands.push({ cmd, ...r });
    }
    result.ok = result.commands.every((c) => c.exitCode === 0);
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    stopProgress();
    try {
      await core.sessions.stop(s.id);
    } catch {
      /* already ended: the error above says why */
    }
  }
  return result;
}
