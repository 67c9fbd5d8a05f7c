import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordingDoc } from '../../../src-shared/features/recording';
import { makePrivateDir } from '../util/private-dir';
import { openInjectorWorker } from './injector-host';
import type { ReplayTarget } from './replayer';
import { recordingOf } from './testing';

const now = () => performance.timeOrigin + performance.now();

const doc = recordingOf;

/** A stand-in for QEMU's QMP monitor (the worker's peer): greets, answers, logs key events. */
function fakeQmp(socketPath: string, o: { failKeys?: boolean } = {}) {
  const keys: { key: string; down: boolean; at: number }[] = [];
  const server = net.createServer((s) => {
    s.write('{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": []}}\r\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const cmd = JSON.parse(line) as { execute: string; id: number; arguments?: { events: { data: { down: boolean; key: { data: string } } }[] } };
        if (cmd.execute === 'input-send-event') {
          const e = cmd.arguments!.events[0]!.data;
          if (o.failKeys) {
            s.write(JSON.stringify({ error: { class: 'GenericError', desc: 'Parameter key does not accept value' }, id: cmd.id }) + '\r\n');
            continue;
          }
          keys.push({ key: e.key.data, down: e.down, at: now() });
        }
        s.write(JSON.stringify({ return: {}, id: cmd.id }) + '\r\n');
      }
    });
  });
  server.listen(socketPath);
  return { keys, close: () => server.close() };
}

describe('the replayer worker (injector-host + injector-worker)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const setup = async (o: { failKeys?: boolean; minGapMs?: number } = {}) => {
    const dir = makePrivateDir('inj-test-');
    const sock = path.join(dir, 'replay-qmp.sock');
    const qmp = fakeQmp(sock, o);
    const console: { data: string; at: number }[] = [];
    const target: ReplayTarget = await openInjectorWorker({ qmpSocket: sock, minGapMs: o.minGapMs ?? 0, traceLog: null, vncSocket: null, writeConsole: (data) => console.push({ data, at: now() }) });
    cleanups.push(() => {
      target.close();
      qmp.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return { qmp, console, target };
  };

  it('sends the keys in order over its own QMP connection, hands console bytes back, and reports every event', async () => {
    const { qmp, console, target } = await setup();
    const events: RecordingDoc['events'] = [];
    for (let i = 0; i < 20; i++) events.push({ id: `k${i}`, t: i * 10_000, kind: 'key', key: 'abcdefghij'[i % 10]!, down: i % 2 === 0 });
    events.push({ id: 'm', t: 205_000, kind: 'marker', text: 'x' }, { id: 'c', t: 210_000, kind: 'console', data: 'ls\r' });
    let started = 0;
    let progress = 0;
    // Hold the main thread across the console event's time: its write (and so its reported
    // injection) is late by that much, although the worker sent the bytes on time.
    const run = await target.run({
      doc: doc(events),
      speed: 1,
      onStart: (t0) => {
        started = t0;
        setTimeout(() => {
          while (now() < t0 + 240);
        }, t0 + 200 - now());
      },
      onInjected: (d) => (progress = d),
    });
    expect(run.t0).toBe(started);
    expect(progress).toBe(21);
    expect(qmp.keys.map((k) => `${k.key}${k.down ? 'v' : '^'}`)).toEqual(events.filter((e) => e.kind === 'key').map((e) => (e.kind === 'key' ? `${e.key}${e.down ? 'v' : '^'}` : '')));
    expect(console.map((c) => c.data)).toEqual(['ls\r']);
    // The console's injection time is when the main thread wrote it.
    const c = run.results.find((r) => r.eventId === 'c')!;
    expect(Math.abs(c.injectedUs! / 1000 + run.t0 - console[0]!.at)).toBeLessThan(1);
    expect(c.injectedUs! - c.scheduledUs).toBeGreaterThan(20_000);
    expect(run.results.find((r) => r.eventId === 'm')!.injectedUs).toBeNull();
    // Each key went out near its time (a generous bound: this checks the wiring, the bench the precision).
    for (const [i, k] of qmp.keys.entries()) expect(Math.abs(k.at - (run.t0 + i * 10))).toBeLessThan(50);
  });

  it('keeps the device minimum gap between keys even when the recording has them closer', async () => {
    const { qmp, target } = await setup({ minGapMs: 15 });
    const events: RecordingDoc['events'] = Array.from({ length: 6 }, (_, i) => ({ id: `k${i}`, t: i * 1000, kind: 'key' as const, key: 'a', down: i % 2 === 0 }));
    await target.run({ doc: doc(events), speed: 1 });
    expect(qmp.keys).toHaveLength(6);
    for (let i = 1; i < qmp.keys.length; i++) expect(qmp.keys[i]!.at - qmp.keys[i - 1]!.at).toBeGreaterThanOrEqual(14.9);
  });

  it('stops at a cancel and runs the next replay on the same worker', async () => {
    const { qmp, target } = await setup();
    const events: RecordingDoc['events'] = Array.from({ length: 40 }, (_, i) => ({ id: `k${i}`, t: i * 20_000, kind: 'key' as const, key: 'a', down: i % 2 === 0 }));
    const ac = new AbortController();
    const run = await target.run({ doc: doc(events), speed: 1, signal: ac.signal, onInjected: (d) => d === 5 && ac.abort() });
    expect(run.results.filter((r) => r.injectedUs !== null).length).toBeLessThan(10);
    expect(qmp.keys.length).toBeLessThan(10);
    const again = await target.run({ doc: doc(events.slice(0, 4)), speed: 2 });
    expect(again.results.every((r) => r.injectedUs !== null)).toBe(true);
  });

  it('fails the run with QEMU’s error when a key is refused', async () => {
    const { target } = await setup({ failKeys: true });
    await expect(target.run({ doc: doc([{ id: 'k', t: 0, kind: 'key', key: 'nosuchkey', down: true }]), speed: 1 })).rejects.toThrow(/does not accept value/);
  });

  it('says which socket it could not reach', async () => {
    const dir = makePrivateDir('inj-test-');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    await expect(openInjectorWorker({ qmpSocket: path.join(dir, 'missing.sock'), minGapMs: 0, traceLog: null, vncSocket: null, writeConsole: () => undefined })).rejects.toThrow(/replay QMP connection: .*missing\.sock/);
  });
});
