import { beforeEach, describe, expect, it } from 'vitest';
import { ProcOutput, ProcRegistry, describeState, useProcs } from './procStore';

describe('ProcOutput', () => {
  it('keeps stdout and stderr apart, merging neighbours of the same stream', () => {
    const o = new ProcOutput();
    let n = 0;
    o.subscribe(() => n++);
    o.push('stdout', 'a');
    o.push('stdout', 'b');
    o.push('stderr', 'E');
    o.push('stdout', 'c');
    o.push('stdout', '');
    expect(o.get()).toEqual([
      { stream: 'stdout', text: 'ab' },
      { stream: 'stderr', text: 'E' },
      { stream: 'stdout', text: 'c' },
    ]);
    expect(o.text('stdout')).toBe('abc');
    expect(n).toBe(4);
    expect(o.version).toBe(4);
  });

  it('caps the text, dropping the oldest', () => {
    const o = new ProcOutput(5);
    o.push('stdout', 'abc');
    o.push('stderr', 'def');
    expect(o.text()).toBe('bcdef');
    o.push('stdout', 'ghijkl');
    expect(o.text()).toBe('hijkl');
    expect(o.trimmed).toBe(true);
  });

  it('notes go on their own line', () => {
    const o = new ProcOutput();
    o.push('stdout', 'no newline');
    o.note('[exited (0)]\n');
    expect(o.text()).toBe('no newline\n[exited (0)]\n');
    expect(o.get().at(-1)!.stream).toBe('note');
  });
});

describe('ProcRegistry', () => {
  beforeEach(() => useProcs.setState({ bySession: {} }));

  it('adds spawned processes newest first and tracks their state', () => {
    const r = new ProcRegistry();
    r.upsert('s', { pid: 10, argv: ['sleep', '100'], state: 'running', startedAt: 1 });
    r.upsert('s', { pid: 11, argv: ['top'], state: 'running', startedAt: 2 });
    expect(r.view('s').rows.map((x) => x.pid)).toEqual([11, 10]);
    r.onState('s', 10, 'stopped');
    expect(r.row('s', 10)!.state).toBe('stopped');
    r.onState('s', 10, 'running');
    r.onExit('s', 10, { how: 'signal', signal: 'SIGKILL' }, 5);
    expect(r.row('s', 10)).toMatchObject({ state: 'exited', signal: 'SIGKILL', endedAt: 5, argv: ['sleep', '100'] });
    expect(describeState(r.row('s', 10)!)).toBe('killed by SIGKILL');
    expect(r.output('s', 10).text()).toBe('[killed by SIGKILL]\n');
  });

  it('an exit that arrives before the spawn answer is kept', () => {
    const r = new ProcRegistry();
    r.onOutput('s', 7, 'stdout', 'hi\n');
    r.onExit('s', 7, { how: 'exit', code: 0 });
    r.upsert('s', { pid: 7, argv: ['/tmp/hello'], state: 'running', startedAt: 1 });
    expect(r.row('s', 7)).toMatchObject({ state: 'exited', exitCode: 0, argv: ['/tmp/hello'], startedAt: 1 });
    expect(r.output('s', 7).text()).toBe('hi\n[exited (0)]\n');
    r.onState('s', 7, 'stopped'); // late
    expect(r.row('s', 7)!.state).toBe('exited');
    r.onExit('s', 7, { how: 'exit', code: 1 }); // twice
    expect(r.row('s', 7)!.exitCode).toBe(0);
  });

  it('sessions are separate; clearEnded and markAllLost', () => {
    const r = new ProcRegistry();
    r.upsert('a', { pid: 1, argv: ['x'] });
    r.upsert('a', { pid: 2, argv: ['y'] });
    r.upsert('b', { pid: 1, argv: ['z'] });
    r.onExit('a', 1, { how: 'exit', code: 0 });
    r.select('a', 1);
    r.clearEnded('a');
    expect(r.view('a')).toEqual({ rows: [expect.objectContaining({ pid: 2 })], selected: null });
    expect(r.view('b').rows).toHaveLength(1);
    r.markAllLost('a');
    expect(r.row('a', 2)).toMatchObject({ state: 'lost', signal: null });
    expect(r.output('a', 2).text()).toBe('[lost (agent link reset)]\n');
    r.forget('a');
    expect(r.view('a').rows).toEqual([]);
  });
});
