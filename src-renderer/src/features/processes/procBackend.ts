/** Process actions of the Processes pane, mapped onto the agent's contract methods (`proc.*`). */
import type { ProcInfo } from '../../../../src-shared/features/agent';
import type { Api } from '../../../../src-shared/transport';
import { getApi } from '../../platform/apiRef';
import { reportError } from '../status/errorsStore';
import { errorText } from '../files/filesStore';
import { parseCommandLine } from './commandLine';
import { procs, type ProcEnd, type ProcRow } from './procStore';

export type ProcSignal = 'SIGSTOP' | 'SIGCONT' | 'SIGKILL';

export interface ProcsBackend {
  spawn(sessionId: string, argv: string[]): Promise<Partial<ProcRow> & { pid: number }>;
  signal(sessionId: string, pid: number, signal: ProcSignal): Promise<void>;
  list(sessionId: string): Promise<(Partial<ProcRow> & { pid: number })[]>;
}

/** Signal numbers of ARM Linux (the guest), for naming what ended a process. */
const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL',
  10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 17: 'SIGCHLD', 18: 'SIGCONT',
  19: 'SIGSTOP', 20: 'SIGTSTP', 24: 'SIGXCPU', 25: 'SIGXFSZ',
};

export function signalName(n: number): string {
  return SIGNAL_NAMES[n] ?? `signal ${n}`;
}

/** `proc.exit` / ProcInfo.exit → how the row says it ended. */
export function procEnd(how: 'exit' | 'signal' | 'lost', code: number): ProcEnd {
  if (how === 'exit') return { how, code };
  if (how === 'signal') return { how, signal: signalName(code) };
  return { how };
}

export function rowFromInfo(p: ProcInfo): Partial<ProcRow> & { pid: number } {
  const end = p.exit ? procEnd(p.exit.how, p.exit.code) : p.state === 'lost' ? procEnd('lost', 0) : null;
  return {
    pid: p.pid,
    argv: p.argv,
    state: p.state,
    exitCode: end?.how === 'exit' ? end.code : null,
    signal: end?.how === 'signal' ? end.signal : null,
    startedAt: p.startedAt,
    endedAt: p.endedAt,
  };
}

export function agentProcsBackend(api: Pick<Api, 'proc'>): ProcsBackend {
  return {
    spawn: async (id, argv) => rowFromInfo(await api.proc.spawn({ id, argv, cwd: '/tmp' })),
    signal: async (id, pid, signal) => {
      await api.proc.signal({ id, pid, signal });
    },
    list: async (id) => (await api.proc.list({ id })).map(rowFromInfo),
  };
}

let backend: () => ProcsBackend = () => agentProcsBackend(getApi());

/** For tests. */
export function setProcsBackend(b: () => ProcsBackend): void {
  backend = b;
}

/** Spawn a command line; returns the pid, or an error text for the Run field. */
export async function runCommandLine(sessionId: string, line: string): Promise<{ pid: number } | { error: string }> {
  const parsed = parseCommandLine(line);
  if (!parsed.ok) return { error: parsed.error };
  return runArgv(sessionId, parsed.argv);
}

export async function runArgv(sessionId: string, argv: string[]): Promise<{ pid: number } | { error: string }> {
  try {
    const row = await backend().spawn(sessionId, argv);
    // An exit that came first (a short program) is kept by upsert.
    procs.upsert(sessionId, { argv, state: 'running', startedAt: Date.now(), ...row });
    procs.select(sessionId, row.pid);
    return { pid: row.pid };
  } catch (err) {
    return { error: errorText(err) };
  }
}

const SIGNAL_VERB: Record<ProcSignal, string> = { SIGSTOP: 'Suspend', SIGCONT: 'Resume', SIGKILL: 'Kill' };

export async function signalProc(sessionId: string, pid: number, signal: ProcSignal): Promise<void> {
  try {
    await backend().signal(sessionId, pid, signal);
    // The state events confirm it; say it at once for the stop/continue the user asked for.
    if (signal === 'SIGSTOP') procs.onState(sessionId, pid, 'stopped');
    if (signal === 'SIGCONT') procs.onState(sessionId, pid, 'running');
  } catch (err) {
    reportError(`${SIGNAL_VERB[signal]} process ${pid}`, err);
  }
}

/** Refetch the table (after a reconnect, or when the pane opens). */
export async function refreshProcs(sessionId: string): Promise<void> {
  const rows = await backend().list(sessionId);
  for (const r of rows) procs.upsert(sessionId, r);
}
