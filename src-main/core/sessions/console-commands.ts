/**
 * Running a shell command on a guest console and reading its output and exit status.
 * The command is followed by `echo @@bt:<n>:$?` on the same line: the echo of the typed line
 * shows `$?` literally, so only the real output matches `@@bt:<n>:<digits>`.
 */
import type { SessionService } from './service';

let seq = 0;

export async function runConsoleCommand(
  sessions: SessionService,
  id: string,
  cmd: string,
  opts: { timeoutMs: number },
): Promise<{ output: string; exitCode: number | null }> {
  if (cmd.includes('\n')) throw new Error('a console command must be one line');
  const n = `${process.pid}-${++seq}`;
  const log = sessions.console(id);
  const from = log.charEnd;
  // `cmd &; echo` is a syntax error: a command sent to the background is already terminated.
  const sep = /&\s*$/.test(cmd) ? ' ' : '; ';
  sessions.writeConsole(id, `${cmd}${sep}echo @@bt:${n}:$?\n`);
  const done = await log.waitFor(new RegExp(`@@bt:${n}:(\\d+)\\r?\\n`), { timeoutMs: opts.timeoutMs, from });
  const text = log.textFrom(from);
  const doneAt = done.endChar - from;
  const body = text.slice(0, doneAt - done[0].length);
  // Drop the echoed command line. It can appear twice: the tty echoes input typed while the
  // previous command still runs, then the shell redraws it after its prompt. Cut after the last.
  const echoed = `@@bt:${n}:$?`;
  const echoAt = body.lastIndexOf(echoed);
  const afterEcho = echoAt >= 0 ? body.slice(body.indexOf('\n', echoAt) + 1) : body;
  return { output: afterEcho.replace(/\r\n/g, '\n'), exitCode: Number(done[1]) };
}
