/**
 * Deterministic mode against a real QEMU 7.2 mainstone: record a run, reproduce it in a new
 * session, get the same console byte for byte; a damaged recording is caught, not hung on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessApi } from '../api';
import { liveCore, PROMPT, waitForState } from '../../../test/live-core';
import type { Core } from '../core';
import { runConsoleCommand } from '../sessions/console-commands';
import { writeNewc } from '../image/cpio';
import { rrDir } from './recording-files';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

let core: Core;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ core, dispose } = await liveCore());
});
afterAll(async () => dispose?.());

/** Resolves with the session once `done(summary)` holds (checked on every session.changed). */
function until(id: string, done: (s: ReturnType<Core['sessions']['get']>) => boolean, timeoutMs: number): Promise<ReturnType<Core['sessions']['get']>> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const s = core.sessions.get(id);
      if (done(s)) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    };
    const timer = setTimeout(() => {
      off();
      reject(new Error(`session ${id} did not get there within ${timeoutMs} ms: ${JSON.stringify(core.sessions.get(id))}`));
    }, timeoutMs);
    const off = core.bus.on('session.changed', (s) => s.id === id && check());
    check();
  });
}

describe('deterministic mode (QEMU record/replay)', () => {
  let recId: string;

  it('records a run: usb-kbd, no agent, paced console, a complete recording after stop', async () => {
    const api = inProcessApi(core);
    await expect(api.sessions.create({ board: 'mainstone', deterministic: true, inputDevice: 'keypad' })).rejects.toThrow(/needs the USB keyboard/);
    const s = await api.sessions.create({ board: 'mainstone', name: 'rr', deterministic: true });
    recId = s.id;
    expect(s.determinism).toEqual({ mode: 'record' });
    expect(s.inputDevice).toBe('usb-kbd');
    await core.sessions.start(recId);
    await core.sessions.console(recId).waitFor(PROMPT, { timeoutMs: 90_000, from: 0 });
    // 40 bytes at once: unpaced, the recording UART would lose most of them.
    const out = await runConsoleCommand(core.sessions, recId, 'echo rr-$((6*7)) $(cat /proc/uptime)', { timeoutMs: 30_000 });
    expect(out.output).toMatch(/^rr-42 \d+\.\d+ \d+\.\d+\n$/);
    expect((await api.agent.status({ id: recId })).lastReset).toMatch(/off in deterministic mode/);
    expect(await api.determinism.runs({ id: recId })).toEqual([expect.objectContaining({ run: 1, problem: expect.stringMatching(/has not ended/) })]);
    await core.sessions.stop(recId);
    const [run] = await api.determinism.runs({ id: recId });
    expect(run).toMatchObject({ run: 1, problem: null });
    expect(run!.logBytes).toBeGreaterThan(1000);
    expect(run!.consoleBytes).toBe(core.sessions.transcript(recId, 1 << 20).totalBytes);
  });

  it('reproduces it: a new session replays to the end by itself, console identical byte for byte, input refused', async () => {
    const api = inProcessApi(core);
    const { sessionId } = await api.determinism.reproduce({ id: recId });
    const live = core.sessions.get(sessionId);
    expect(live.determinism).toEqual({ mode: 'replay', of: { sessionId: recId, run: 1 }, verdict: null });
    expect(() => core.sessions.writeConsole(sessionId, 'ls\n')).toThrow(/reproduces a recording/);
    await expect(api.input.key({ id: sessionId, key: 'a', down: true })).rejects.toThrow(/reproduces a recording/);
    const done = await until(sessionId, (s) => s.state === 'stopped' || s.state === 'crashed', 120_000);
    expect(done.state).toBe('stopped');
    expect(done.determinism).toMatchObject({ verdict: { identical: true } });
    expect(core.sessions.transcript(sessionId, 1 << 20).data).toBe(core.sessions.transcript(recId, 1 << 20).data);
    expect(core.sessions.transcript(sessionId, 1 << 20).data).toMatch(/rr-42 \d+\.\d+/);
    expect(core.sessions.history(sessionId).map((e) => e.kind)).toContain('reproduced');
    // Same QEMU as the recording's: no warning about versions.
    expect(core.sessions.history(sessionId).filter((e) => e.kind === 'warning')).toEqual([]);
  });

  it('a run recorded by another QEMU version still replays, and the history says where to look if it diverges', async () => {
    const api = inProcessApi(core);
    const manifest = path.join(rrDir(core.sessions.runDir(recId, 1)), 'manifest.json');
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    fs.writeFileSync(manifest, JSON.stringify({ ...m, qemuVersion: '6.2.0' }));
    const { sessionId } = await api.determinism.reproduce({ id: recId, run: 1 });
    expect(core.sessions.history(sessionId).find((e) => e.kind === 'warning')?.detail).toMatch(/recorded by QEMU 6\.2\.0 and is replayed by QEMU 7\./);
    await core.sessions.stop(sessionId);
    fs.writeFileSync(manifest, JSON.stringify(m));
  });

  it('a recording whose files changed is caught: the reproduction ends and says it is not the recorded run', async () => {
    const api = inProcessApi(core);
    // A different /init in the recording's initrd (the kernel unpacks an appended cpio over the
    // first): the guest prints a line the recorded run never printed. A flipped byte somewhere in
    // the archive may land in a file the guest never reads, and prove nothing.
    const initrd = path.join(rrDir(core.sessions.runDir(recId, 1)), 'initrd');
    const init = fs.readFileSync(path.join(REPO, 'resources/guest/mainstone/init'), 'utf8').replace('hostname benchtop\n', 'hostname benchtop\necho "benchtop-guest: not the recorded run"\n');
    expect(init).toContain('not the recorded run');
    fs.appendFileSync(initrd, writeNewc([{ path: 'init', type: 'file', mode: 0o755, data: Buffer.from(init) }]));
    const { sessionId } = await api.determinism.reproduce({ id: recId, run: 1 });
    const done = await until(sessionId, (s) => s.state === 'stopped' || s.state === 'crashed', 120_000);
    const verdict = done.determinism.mode === 'replay' ? done.determinism.verdict : null;
    expect(verdict?.identical ?? false).toBe(false);
    expect(done.error).toMatch(/the reproduction left its recording/);
    expect(verdict?.detail).toMatch(/console differs from run 1 of rr at byte/);
  });

  it('a run that was never recorded, or is unknown, is refused by name', async () => {
    const api = inProcessApi(core);
    const plain = await api.sessions.create({ board: 'mainstone', name: 'plain' });
    await expect(api.determinism.reproduce({ id: plain.id })).rejects.toThrow(/has no recorded run|not created in deterministic mode/);
    await expect(api.determinism.reproduce({ id: recId, run: 9 })).rejects.toThrow(/run 9 of rr has no recording/);
    await waitForState(core, recId, 'stopped', 1000);
  });
});
