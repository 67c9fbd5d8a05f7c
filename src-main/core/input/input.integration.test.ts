/**
 * Guest input and the Screen on a real mainstone guest, through the contract (the dispatcher
 * the UI uses): keys injected with input.key arrive on the keypad's /dev/input device in order
 * with the Linux key codes the board's keymap gives them, the keys the keypad model drops do
 * not arrive, screen.grab is the 240×320 LCD and changes when a command runs on tty1, and a
 * usb-kbd session delivers digits (and its keypad then gets nothing).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../src-shared/transport';
import { PROMPT, liveCore, waitForState } from '../../../test/live-core';
import { inProcessApi } from '../api';
import type { AgentChannel, AgentProcess } from '../agent/client';
import { ensureAgent } from '../agent/deploy';
import { buildGuestProgram } from '../agent/testing/debuggee';
import { until } from '../agent/testing/native-agent';
import type { Core } from '../core';
import { mainstone } from '../boards/profiles';
import { decodePng, litPixels } from './testing/png';

/** Linux input codes (linux/input-event-codes.h) of the keys the mainstone keymap names. */
const LINUX: Record<string, number> = {
  a: 30, b: 48, c: 46, d: 32, e: 18, f: 33, g: 34, h: 35, i: 23, j: 36, k: 37, l: 38, m: 50,
  n: 49, o: 24, p: 25, q: 16, r: 19, s: 31, t: 20, u: 22, v: 47, w: 17, x: 45, y: 21, z: 44,
  dot: 52, slash: 53, home: 102, shift: 42, spc: 57, ret: 28, backspace: 14,
  up: 103, down: 108, left: 105, right: 106,
  '1': 2, '2': 3, '0': 11, minus: 12, esc: 1, tab: 15, comma: 51, ctrl: 29, f1: 59,
};
/** What the keypad model drops (guest-notes.md): never seen on the keypad's device. */
const DROPPED = ['1', '0', 'minus', 'comma', 'esc', 'tab', 'ctrl', 'f1'];

let core: Core;
let dispose: () => Promise<void>;
let api: Api;

beforeAll(async () => {
  ({ core, dispose } = await liveCore());
  api = inProcessApi(core);
}, 300_000);
afterAll(async () => dispose?.());

/** Boot a session with an input device to its prompt and open an agent channel. */
async function boot(name: string, inputDevice: 'keypad' | 'usb-kbd'): Promise<{ id: string; ch: AgentChannel }> {
  const s = await api.sessions.create({ name, inputDevice });
  expect(s.inputDevice).toBe(inputDevice);
  await api.sessions.start({ id: s.id });
  await core.sessions.console(s.id).waitFor(PROMPT, { timeoutMs: 60_000, from: 0 });
  await ensureAgent(core, s.id, { timeoutMs: 60_000 });
  const ch = core.agents.channel(s.id, 'input-test');
  const prog = buildGuestProgram(path.join(__dirname, 'testing', 'keylog.c'));
  await ch.put('/tmp/keylog', { file: prog.stripped }, { mode: 0o755 });
  return { id: s.id, ch };
}

/** Start keylog on the device whose name contains `device`; collects "code value" pairs. */
async function keylog(ch: AgentChannel, device: string): Promise<{ p: AgentProcess; keys: [number, number][]; name: () => string }> {
  let out = '';
  const keys: [number, number][] = [];
  const p = await ch.spawn(['/tmp/keylog', device], {
    onOutput: (_s, d) => {
      out += d.toString();
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const m = line.match(/^key (\d+) (-?\d+)$/);
        if (m) keys.push([Number(m[1]), Number(m[2])]);
        else if (line.startsWith('ready ')) ready = line;
      }
    },
  });
  let ready = '';
  await until(() => ready !== '', 10_000, `keylog ready on "${device}"`);
  return { p, keys, name: () => ready };
}

async function tap(id: string, key: string): Promise<{ deliverable: boolean; latencyUs: number[] }> {
  const a = await core.input.injectKey(id, key, true);
  const b = await core.input.injectKey(id, key, false);
  return { deliverable: a.deliverable && b.deliverable, latencyUs: [a.latencyUs, b.latencyUs] };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

describe('keypad session (the board default)', () => {
  let id: string;
  let ch: AgentChannel;
  beforeAll(async () => {
    ({ id, ch } = await boot('input-keypad', 'keypad'));
  }, 180_000);
  afterAll(async () => {
    if (id) await api.sessions.stop({ id });
  });

  it('input.keys lists the 37 keypad keys', async () => {
    const k = await api.input.keys({ id });
    expect(k.device).toBe('keypad');
    expect(k.deliverable.sort()).toEqual([...mainstone.keypadKeys].sort());
  });

  it('every keypad key arrives on the keypad device in order with its Linux code; the dropped keys do not', async () => {
    const log = await keylog(ch, 'keypad');
    try {
      expect(log.name()).toMatch(/pxa27x-keypad/);
      // QMP round trips as the recorder's hook reports them (the pacing gap not included).
      const latencies: number[] = [];
      const off = core.input.onInjected((e) => e.sessionId === id && latencies.push(e.latencyUs));
      const expected: [number, number][] = [];
      // The dropped keys interleaved with the mapped ones: if one slipped through, the order breaks.
      const order = mainstone.keypadKeys.flatMap((k, i) => (i < DROPPED.length ? [k, DROPPED[i]!] : [k]));
      for (const key of order) {
        const r = await api.input.key({ id, key, down: true });
        await api.input.key({ id, key, down: false });
        expect(r.deliverable, key).toBe(!DROPPED.includes(key));
        if (!DROPPED.includes(key)) expected.push([LINUX[key]!, 1], [LINUX[key]!, 0]);
      }
      await until(() => log.keys.length >= expected.length, 15_000, `${expected.length} key events (have ${log.keys.length})`);
      // A sentinel after everything: whatever else was going to arrive has arrived before it.
      await tap(id, 'z');
      await until(() => log.keys.length >= expected.length + 2, 5000, 'the sentinel');
      off();
      expect(log.keys).toEqual([...expected, [LINUX.z!, 1], [LINUX.z!, 0]]);
      expect(latencies).toHaveLength(order.length * 2 + 2);
      console.log(`[input] keypad: ${mainstone.keypadKeys.length} keys arrived, ${DROPPED.length} dropped; input.key round trip p50 ${pct(latencies, 50).toFixed(0)} µs p99 ${pct(latencies, 99).toFixed(0)} µs`);
    } finally {
      await log.p.signal('SIGKILL');
      await log.p.exited;
    }
  });

  it('a key QEMU does not know is refused with its name', async () => {
    await expect(api.input.key({ id, key: 'no_such_key', down: true })).rejects.toThrow(/no_such_key/);
  });

  it('screen.grab is the 240×320 LCD, and it changes when ls runs on tty1', async () => {
    const f0 = await api.screen.grab({ id });
    expect(f0).toMatchObject({ width: 240, height: 320 });
    expect(Math.abs(f0.at - Date.now())).toBeLessThan(5000);
    const before = litPixels(decodePng(Buffer.from(f0.base64, 'base64')));
    expect(before, 'the tty1 prompt is on the LCD').toBeGreaterThan(50);
    for (const k of ['l', 's', 'ret']) await tap(id, k);
    // ls of / prints a dozen names: far more lit pixels than a blinking cursor could account for.
    let after = before;
    await until(async () => {
      after = litPixels(decodePng(Buffer.from((await api.screen.grab({ id })).base64, 'base64')));
      return after > before + 400;
    }, 15_000, `the LCD to show ls's output (lit pixels ${before} → ${after})`);
    // Grab cost (what the Screen pane pays per frame).
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await api.screen.grab({ id });
      ms.push(performance.now() - t);
    }
    console.log(`[input] lit pixels ${before} → ${after}; screen.grab p50 ${pct(ms, 50).toFixed(1)} ms p99 ${pct(ms, 99).toFixed(1)} ms`);
    expect(pct(ms, 50)).toBeLessThan(200);
  });

  it('screen.grab of a stopped session says so', async () => {
    const s = await api.sessions.create({ name: 'never-started' });
    await expect(api.screen.grab({ id: s.id })).rejects.toThrow(/is created: start it/);
  });
});

describe('usb-kbd session', () => {
  it('delivers digits, minus and esc through the USB keyboard; the keypad then gets nothing', async () => {
    const { id, ch } = await boot('input-usb', 'usb-kbd');
    try {
      expect((await api.input.keys({ id })).device).toBe('usb-kbd');
      const usb = await keylog(ch, 'USB Keyboard');
      const pad = await keylog(ch, 'keypad');
      try {
        expect(usb.name()).toMatch(/QEMU QEMU USB Keyboard/);
        const keys = ['1', '2', '0', 'minus', 'esc', 'a', 'ret'];
        for (const k of keys) expect((await tap(id, k)).deliverable, k).toBe(true);
        const expected = keys.flatMap((k) => [[LINUX[k]!, 1], [LINUX[k]!, 0]]);
        await until(() => usb.keys.length >= expected.length, 15_000, `${expected.length} USB key events (have ${usb.keys.length})`);
        expect(usb.keys).toEqual(expected);
        expect(pad.keys).toEqual([]);
      } finally {
        for (const l of [usb, pad]) {
          await l.p.signal('SIGKILL');
          await l.p.exited;
        }
      }
    } finally {
      await api.sessions.stop({ id });
      await waitForState(core, id, 'stopped');
    }
  }, 240_000);
});
