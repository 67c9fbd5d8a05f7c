import { beforeEach, describe, expect, it } from 'vitest';
import type { ProcInfo } from '../../../../src-shared/features/agent';
import { agentProcsBackend, procEnd, rowFromInfo, runCommandLine, setProcsBackend, signalName, signalProc, type ProcsBackend } from './procBackend';
import { procs, useProcs } from './procStore';

const info = (patch: Partial<ProcInfo>): ProcInfo => ({
  sessionId: 's',
  pid: 42,
  argv: ['sleep', '100'],
  cwd: '/tmp',
  state: 'running',
  startedAt: 1000,
  endedAt: null,
  exit: null,
  ...patch,
});

describe('contract mapping', () => {
  it('names ARM signals', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(19)).toBe('SIGSTOP');
    expect(signalName(11)).toBe('SIGSEGV');
    expect(signalName(33)).toBe('signal 33');
    expect(procEnd('signal', 15)).toEqual({ how: 'signal', signal: 'SIGTERM' });
    expect(procEnd('exit', 3)).toEqual({ how: 'exit', code: 3 });
    expect(procEnd('lost', 0)).toEqual({ how: 'lost' });
  });

  it('ProcInfo → row', () => {
    expect(rowFromInfo(info({}))).toEqual({ pid: 42, argv: ['sleep', '100'], state: 'running', exitCode: null, signal: null, startedAt: 1000, endedAt: null });
    expect(rowFromInfo(info({ state: 'exited', exit: { how: 'signal', code: 9 }, endedAt: 2000 }))).toMatchObject({ state: 'exited', signal: 'SIGKILL', exitCode: null, endedAt: 2000 });
    expect(rowFromInfo(info({ state: 'exited', exit: { how: 'exit', code: 0 } }))).toMatchObject({ exitCode: 0, signal: null });
    expect(rowFromInfo(info({ state: 'lost' }))).toMatchObject({ state: 'lost', exitCode: null, signal: null });
  });

  it('calls proc.spawn in /tmp and proc.signal by name', async () => {
    const calls: unknown[] = [];
    const api = {
      proc: {
        spawn: async (i: unknown) => (calls.push(['spawn', i]), info({ pid: 7 })),
        signal: async (i: unknown) => (calls.push(['signal', i]), { ok: true as const }),
        list: async () => [info({ pid: 7 })],
      },
    };
    const b = agentProcsBackend(api as never);
    expect((await b.spawn('s', ['ls'])).pid).toBe(7);
    await b.signal('s', 7, 'SIGSTOP');
    expect(calls).toEqual([
      ['spawn', { id: 's', argv: ['ls'], cwd: '/tmp' }],
      ['signal', { id: 's', pid: 7, signal: 'SIGSTOP' }],
    ]);
    expect((await b.list('s')).map((r) => r.pid)).toEqual([7]);
  });
});

describe('actions', () => {
  beforeEach(() => useProcs.setState({ bySession: {} }));

  it('Run parses the line, spawns, adds and selects the row; errors come back as text', async () => {
    const spawned: string[][] = [];
    const backend: ProcsBackend = {
      spawn: async (_s, argv) => {
        if (argv[0] === 'nope') throw new Error('ENOENT: nope');
        spawned.push(argv);
        return rowFromInfo(info({ pid: 9, argv }));
      },
      signal: async () => {},
      list: async () => [],
    };
    setProcsBackend(() => backend);
    expect(await runCommandLine('s', `sh -c 'echo hi'`)).toEqual({ pid: 9 });
    expect(spawned).toEqual([['sh', '-c', 'echo hi']]);
    expect(procs.view('s').selected).toBe(9);
    expect(procs.row('s', 9)).toMatchObject({ argv: ['sh', '-c', 'echo hi'], state: 'running' });
    expect(await runCommandLine('s', 'nope')).toEqual({ error: 'ENOENT: nope' });
    expect(await runCommandLine('s', "echo 'x")).toEqual({ error: 'unterminated single quote' });
  });

  it('suspend and resume update the row once the agent accepted the signal', async () => {
    let fail = false;
    setProcsBackend(() => ({
      spawn: async () => ({ pid: 1 }),
      signal: async () => {
        if (fail) throw new Error('ESRCH');
      },
      list: async () => [],
    }));
    procs.upsert('s', { pid: 5, argv: ['sleep', '9'], state: 'running' });
    await signalProc('s', 5, 'SIGSTOP');
    expect(procs.row('s', 5)!.state).toBe('stopped');
    await signalProc('s', 5, 'SIGCONT');
    expect(procs.row('s', 5)!.state).toBe('running');
    fail = true;
    await signalProc('s', 5, 'SIGSTOP');
    expect(procs.row('s', 5)!.state).toBe('running');
    await signalProc('s', 5, 'SIGKILL'); // the state comes from proc.exit, not from the answer
    expect(procs.row('s', 5)!.state).toBe('running');
  });
});
