/**
 * The agent's contract methods end to end through the dispatcher (input and output schemas),
 * AgentService and its broker, against the native C agent on a unix socket (a stand-in for
 * QEMU's chardev: each connection gets a fresh agent in --stdio mode).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods, type EventName, type ServiceImpl } from '../../../src-shared/contract';
import { dispatch } from '../api';
import type { Core } from '../core';
import { EventBus } from '../events';
import type { SessionService } from '../sessions/service';
import { createAgentImpl } from './api';
import { AgentService } from './service';
import { buildAgent, fakeGdbserver, until } from './testing/native-agent';

let dir: string;
let server: net.Server;
let bus: EventBus;
let agents: AgentService;
let impl: ServiceImpl;
const children: ChildProcess[] = [];
const seen: { event: EventName; payload: unknown }[] = [];
const ID = 'sess-1';

beforeAll(async () => {
  const bin = buildAgent('host');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-api-'));
  const sock = path.join(dir, 'agent.sock');
  server = net.createServer((c) => {
    const child = spawn(bin, ['--stdio', '--events', path.join(dir, 'events'), '--gdbserver', fakeGdbserver()], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(child);
    c.on('error', () => undefined);
    child.stdin!.on('error', () => undefined);
    c.pipe(child.stdin!);
    child.stdout!.pipe(c);
    c.on('close', () => child.kill('SIGKILL'));
  });
  await new Promise<void>((r) => server.listen(sock, () => r()));
  bus = new EventBus();
  bus.onAny((event, payload) => seen.push({ event, payload }));
  const sessions = {
    get: (id: string) => ({ id, state: 'running', determinism: { mode: 'off' } }),
    qemu: () => ({ sockets: { agent: sock } }),
  } as unknown as SessionService;
  agents = new AgentService({ bus, sessions });
  impl = createAgentImpl({ agents } as unknown as Core) as unknown as ServiceImpl;
  bus.emit('session.changed', { id: ID, state: 'running' } as never);
  await agents.waitReady(ID, 10_000);
}, 120_000);

afterAll(() => {
  agents?.close();
  server?.close();
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, input: unknown) => dispatch(impl, method, input) as Promise<Record<string, unknown>>;

describe('agent contract methods', () => {
  it('every agent method in the contract has an implementation', () => {
    for (const m of Object.keys(methods).filter((m) => /^(agent|files|proc|debug)\./.test(m))) expect(typeof (impl as Record<string, unknown>)[m]).toBe('function');
  });

  it('agent.status and agent.ping; the status event says connected', async () => {
    const st = await call('agent.status', { id: ID });
    expect(st).toMatchObject({ sessionId: ID, state: 'connected' });
    expect((st.capabilities as Record<string, string>).protocol).toBe('1');
    expect(await call('agent.ping', { id: ID })).toMatchObject({ uptimeMs: expect.any(Number), rttMs: expect.any(Number) });
    expect(seen.some((e) => e.event === 'agent.status' && (e.payload as { state: string }).state === 'connected')).toBe(true);
  });

  it('files.put (base64 and host path), files.get (base64 and host path), list, stat, remove', async () => {
    const target = path.join(dir, 'a.txt');
    expect(await call('files.put', { id: ID, path: target, base64: Buffer.from('hello agent').toString('base64'), mode: 0o600 })).toMatchObject({ size: 11 });
    expect(fs.readFileSync(target, 'utf8')).toBe('hello agent');
    const got = await call('files.get', { id: ID, path: target });
    expect(Buffer.from(got.base64 as string, 'base64').toString()).toBe('hello agent');
    const hostOut = path.join(dir, 'copy.txt');
    expect(await call('files.get', { id: ID, path: target, hostPath: hostOut })).toMatchObject({ size: 11, base64: null, hostPath: hostOut });
    expect(fs.readFileSync(hostOut, 'utf8')).toBe('hello agent');
    await call('files.put', { id: ID, path: path.join(dir, 'b.txt'), hostPath: hostOut });
    const list = await call('files.list', { id: ID, path: dir });
    expect((list.entries as { name: string }[]).map((e) => e.name)).toEqual(expect.arrayContaining(['a.txt', 'b.txt', 'copy.txt']));
    expect(await call('files.stat', { id: ID, path: target })).toMatchObject({ name: 'a.txt', type: 'f', size: 11, mode: 0o600 });
    await call('files.remove', { id: ID, path: target });
    await expect(call('files.stat', { id: ID, path: target })).rejects.toMatchObject({ code: 'not-found' });
    await expect(call('files.get', { id: ID, path: target, maxBytes: 1 })).rejects.toBeTruthy();
  });

  it('refuses bad input before it reaches the agent', async () => {
    await expect(call('files.list', { id: ID, path: 'relative/path' })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(call('files.put', { id: ID, path: '/tmp/x', base64: 'aGk=', hostPath: '/tmp/y' })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(call('proc.spawn', { id: ID, argv: [] })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(call('debug.start', { id: ID })).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('proc.spawn streams proc.output and proc.exit; proc.signal suspends/resumes/kills; proc.list tracks it', async () => {
    const p = await call('proc.spawn', { id: ID, argv: ['sh', '-c', 'echo hi-$WHO; cat'], env: { WHO: 'there' } });
    const pid = p.pid as number;
    expect(p).toMatchObject({ state: 'running', argv: ['sh', '-c', 'echo hi-$WHO; cat'] });
    await call('proc.stdin', { id: ID, pid, data: 'typed\n', close: true });
    await until(() => seen.some((e) => e.event === 'proc.exit' && (e.payload as { pid: number }).pid === pid), 5000, 'proc.exit');
    const out = seen.filter((e) => e.event === 'proc.output' && (e.payload as { pid: number }).pid === pid).map((e) => (e.payload as { data: string }).data).join('');
    expect(out).toBe('hi-there\ntyped\n');
    const sleeper = await call('proc.spawn', { id: ID, argv: ['sleep', '100'] });
    const spid = sleeper.pid as number;
    await call('proc.signal', { id: ID, pid: spid, signal: 'SIGSTOP' });
    expect(((await call('proc.list', { id: ID })) as unknown as { pid: number; state: string }[]).find((x) => x.pid === spid)?.state).toBe('stopped');
    await call('proc.signal', { id: ID, pid: spid, signal: 'SIGCONT' });
    await call('proc.signal', { id: ID, pid: spid, signal: 9 });
    await until(() => seen.some((e) => e.event === 'proc.exit' && (e.payload as { pid: number }).pid === spid), 5000, 'sleeper exit');
    const list = (await call('proc.list', { id: ID })) as unknown as { pid: number; state: string; exit: unknown }[];
    expect(list.find((x) => x.pid === spid)).toMatchObject({ state: 'exited', exit: { how: 'signal', code: 9 } });
    expect(list.find((x) => x.pid === pid)).toMatchObject({ state: 'exited', exit: { how: 'exit', code: 0 } });
  });

  it('debug.start gives a bridge port, debug.list shows it, debug.stop ends it', async () => {
    const d = await call('debug.start', { id: ID, spawn: { argv: ['sleep', '30'] } });
    expect(d).toMatchObject({ sessionId: ID, mode: 'spawn', state: 'stopped', gdbAttached: false });
    expect(d.port as number).toBeGreaterThan(0);
    expect(((await call('debug.list', { id: ID })) as unknown as unknown[]).length).toBe(1);
    await call('debug.stop', { id: ID, debugId: d.debugId });
    expect(((await call('debug.list', { id: ID })) as unknown as unknown[]).length).toBe(0);
    expect(seen.some((e) => e.event === 'debug.changed')).toBe(true);
  });

  it('markers become agent.event', async () => {
    await until(async () => {
      fs.writeFileSync(path.join(dir, 'events'), 'api-marker\n');
      return seen.some((e) => e.event === 'agent.event' && (e.payload as { text: string }).text === 'api-marker');
    }, 5000, 'agent.event');
  });

  it('a stopped session drops its agent link', async () => {
    bus.emit('session.changed', { id: ID, state: 'stopped' } as never);
    expect((await call('agent.status', { id: ID })).state).toBe('none');
    await expect(call('agent.ping', { id: ID })).rejects.toMatchObject({ code: 'invalid-state' });
  });
});
