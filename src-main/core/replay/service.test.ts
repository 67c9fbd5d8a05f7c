/** ReplayService over a fake input path and fake sessions (the real ones: replay.integration.test.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReplayInfo } from '../../../src-shared/features/replay';
import { EventBus } from '../events';
import type { SessionService } from '../sessions/service';
import { openDb } from '../store/db';
import { ReplayService, type KeyInput } from './service';
import { ReplayStore } from './store';

function setup() {
  const db = openDb(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bt-replay-')), 'w.sqlite'));
  const bus = new EventBus();
  const state = { value: 'running' };
  const consoleWrites: string[] = [];
  const sessions = {
    get: (id: string) => ({ id, name: `s-${id}`, board: 'mainstone', state: state.value, determinism: { mode: 'off' } }),
    writeConsole: (_id: string, d: string) => consoleWrites.push(d),
    onConsoleInput: () => () => undefined,
  } as unknown as SessionService;
  let listener: Parameters<KeyInput['onInjected']>[0] = () => undefined;
  const injected: string[] = [];
  const input: KeyInput = {
    injectKey: async (sessionId, key, down) => {
      injected.push(`${sessionId}:${key}${down ? '↓' : '↑'}`);
      listener({ sessionId, key, down, atMs: clock.t });
      return { latencyUs: 300 };
    },
    onInjected: (l) => ((listener = l), () => undefined),
  };
  const clock = { t: 1_000_000 };
  const store = new ReplayStore(db);
  const svc = new ReplayService({ bus, sessions, store, input, now: () => clock.t });
  const events: { name: string; payload: unknown }[] = [];
  bus.onAny((name, payload) => events.push({ name, payload }));
  return { svc, store, bus, clock, input, injected, consoleWrites, state, events };
}

describe('ReplayService recorder', () => {
  it('records keys, console text and markers with µs from Record, sorted, and stores revision 1', async () => {
    const t = setup();
    t.svc.startRecording('a1');
    t.clock.t += 100;
    await t.input.injectKey('a1', 'l', true);
    t.clock.t += 50.5;
    await t.input.injectKey('a1', 'l', false);
    await t.input.injectKey('other', 'x', true); // another session: not recorded
    t.clock.t += 10;
    t.svc.consoleInput('a1', 'ls\r');
    t.bus.emit('agent.event', { sessionId: 'a1', kind: 'marker', text: 'ready', at: t.clock.t - 5 });
    const summary = t.svc.stopRecording('a1');
    expect(summary).toMatchObject({ rev: 1, events: 4, board: 'mainstone', sessionId: 'a1' });
    const { doc } = t.store.get(summary.recordingId);
    expect(doc.events.map((e) => [e.kind, e.t])).toEqual([
      ['key', 100_000],
      ['key', 150_500],
      ['marker', 155_500],
      ['console', 160_500],
    ]);
    expect(t.events.some((e) => e.name === 'recordings.changed')).toBe(true);
    expect(() => t.svc.stopRecording('a1')).toThrow(/not recording/);
  });

  it('refuses to record a session that is not running, or twice', () => {
    const t = setup();
    t.state.value = 'stopped';
    expect(() => t.svc.startRecording('a1')).toThrow(/is stopped: start it/);
    t.state.value = 'running';
    t.svc.startRecording('a1');
    expect(() => t.svc.startRecording('a1')).toThrow(/already recording/);
  });

  it('imports a valid file, refuses a bad one without storing anything, exports what it stored', () => {
    const t = setup();
    t.svc.startRecording('a1');
    t.svc.consoleInput('a1', 'echo hi\r');
    const r = t.svc.stopRecording('a1');
    const exported = t.svc.exportText(r.recordingId);
    expect(exported.fileName).toMatch(/\.r1\.btrec\.json$/);
    const again = t.svc.importText(exported.text);
    expect(t.store.get(again.recordingId).doc.events).toEqual(t.store.get(r.recordingId).doc.events);
    const before = t.store.list().length;
    expect(() => t.svc.importText('{"format":"benchtop-recording","version":9}')).toThrow(/version 9 is newer/);
    expect(() => t.svc.importText('nonsense')).toThrow(/not JSON/);
    expect(t.store.list().length).toBe(before);
  });

  it('saves edits as new revisions and refuses a stale base revision', () => {
    const t = setup();
    t.svc.startRecording('a1');
    t.svc.consoleInput('a1', 'x');
    const r = t.svc.stopRecording('a1');
    const { doc } = t.store.get(r.recordingId);
    const edited = { ...doc, events: [...doc.events, { id: 'new', t: 5_000_000, kind: 'console' as const, data: 'y' }] };
    expect(t.svc.save(r.recordingId, 1, edited).rev).toBe(2);
    expect(() => t.svc.save(r.recordingId, 1, edited)).toThrow(/revision 2 now, not 1/);
    expect(t.store.get(r.recordingId, 1).doc.events.length).toBe(1);
    expect(t.store.get(r.recordingId).doc.events.length).toBe(2);
  });
});

describe('ReplayService replays', () => {
  it('replays N times back to back into the session, each with a stored report, without recording its own keys', async () => {
    const t = setup();
    t.svc.startRecording('a1');
    await t.input.injectKey('a1', 'a', true);
    t.clock.t += 20;
    await t.input.injectKey('a1', 'a', false);
    t.svc.consoleInput('a1', 'ok\r');
    const r = t.svc.stopRecording('a1');
    t.injected.length = 0;
    // The replay runs on the real clock; its injections must not be captured.
    const real = new ReplayService({ bus: t.bus, sessions: { get: () => ({ state: 'running', name: 's', board: 'mainstone', determinism: { mode: 'off' } }), writeConsole: (_i: string, d: string) => t.consoleWrites.push(d), onConsoleInput: () => () => undefined } as unknown as SessionService, store: t.store, input: t.input });
    real.startRecording('b2');
    const infos = real.startReplay({ recordingId: r.recordingId, sessionId: 'b2', repeat: 2 });
    expect(infos.map((i) => [i.iteration, i.of, i.state])).toEqual([[1, 2, 'scheduled'], [2, 2, 'scheduled']]);
    const done = new Promise<void>((resolve) => t.bus.on('replay.changed', (i: ReplayInfo) => i.iteration === 2 && i.state === 'done' && resolve()));
    await done;
    expect(t.injected).toEqual(['b2:a↓', 'b2:a↑', 'b2:a↓', 'b2:a↑']);
    expect(t.consoleWrites.filter((w) => w === 'ok\r').length).toBe(2);
    const report = real.report(infos[0]!.replayId);
    expect(report.replay.state).toBe('done');
    expect(report.events.map((e) => e.label)).toEqual(['a ↓', 'a ↑', 'ok\\r']);
    expect(report.events.every((e) => e.injectedUs !== null)).toBe(true);
    expect(report.stats.injectErrUsP99).not.toBeNull();
    expect(real.status('b2').events).toBe(0); // the replay's own keys are not the user's
    expect(t.store.replays({ recordingId: r.recordingId }).map((i) => i.state)).toEqual(['done', 'done']);
  });

  it('a replay into a session that is not running is refused', () => {
    const t = setup();
    t.svc.startRecording('a1');
    t.svc.consoleInput('a1', 'x');
    const r = t.svc.stopRecording('a1');
    t.state.value = 'stopped';
    expect(() => t.svc.startReplay({ recordingId: r.recordingId, sessionId: 'a1', repeat: 1 })).toThrow(/needs a running session/);
  });
});

describe('matchGuestKeys', () => {
  const result = (id: string, injectedUs: number | null) => ({ eventId: id, kind: 'key' as const, label: id, scheduledUs: 0, injectedUs, guestUs: null as number | null });
  it('matches in order by code and press/release, skips foreign and lost keys, aligns without a clock mapping', async () => {
    const { matchGuestKeys } = await import('./service');
    const ev = [
      { result: result('a+', 1000), key: 'a', down: true },
      { result: result('a-', 21_000), key: 'a', down: false },
      { result: result('b+', 41_000), key: 'b', down: true }, // lost by the keypad
      { result: result('b-', 61_000), key: 'b', down: false },
      { result: result('c+', 81_000), key: 'c', down: true },
    ];
    const guest = [
      { code: 30, value: 1 as const, tUs: 500_000 },
      { code: 44, value: 1 as const, tUs: 505_000 }, // z: nobody injected it
      { code: 30, value: 0 as const, tUs: 520_500 },
      { code: 48, value: 0 as const, tUs: 560_000 },
      { code: 46, value: 1 as const, tUs: 580_250 },
    ];
    matchGuestKeys(ev, guest, null);
    expect(ev.map((e) => e.result.guestUs)).toEqual([1000, 21_500, null, 61_000, 81_250]);
  });
  it('uses the guest→replay clock mapping when there is one', async () => {
    const { matchGuestKeys } = await import('./service');
    const ev = [{ result: result('a+', 1000), key: 'a', down: true }];
    matchGuestKeys(ev, [{ code: 30, value: 1, tUs: 7_000_000 }], (t) => t - 6_998_000);
    expect(ev[0]!.result.guestUs).toBe(2000);
  });
});
