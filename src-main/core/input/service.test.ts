import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BenchtopError } from '../../../src-shared/errors';
import type { InputDevice } from '../../../src-shared/features/recording';
import { mainstone } from '../boards/profiles';
import { QmpCommandError } from '../qmp/client';
import { InputService, pngSize, type InjectedKey, type InputQmp } from './service';
import { USB_KBD_KEYS, minEventGapMs } from './keys';

/** A 2×3 PNG header (signature + IHDR), enough for pngSize and for a screendump stand-in. */
function pngHeader(w: number, h: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
}

class FakeQmp implements InputQmp {
  calls: { command: string; args?: Record<string, unknown>; at: number }[] = [];
  fail: Error | null = null;
  async execute<T>(command: string, args?: Record<string, unknown>): Promise<T> {
    this.calls.push({ command, args, at: performance.now() });
    if (this.fail) throw this.fail;
    if (command === 'screendump') fs.writeFileSync(args!.filename as string, pngHeader(240, 320));
    return {} as T;
  }
}

let dir: string;
let qmp: FakeQmp;
let state: string;
let device: InputDevice;
let rrMode: 'off' | 'record' | 'replay';
let svc: InputService;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-input-'));
  qmp = new FakeQmp();
  state = 'running';
  device = 'keypad';
  rrMode = 'off';
  svc = new InputService({
    get: (id) => {
      if (id !== 's1') throw new BenchtopError('not-found', `no session with id ${id}`);
      return { name: 's-1', board: 'mainstone', state, inputDevice: device, determinism: { mode: rrMode } };
    },
    qemu: () => ({ qmpClient: qmp, runtimeDir: dir }),
  });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('InputService.injectKey', () => {
  it('sends one key event per input-send-event, press and release separately', async () => {
    await svc.injectKey('s1', 'a', true);
    await svc.injectKey('s1', 'a', false);
    expect(qmp.calls.map(({ command, args }) => ({ command, args }))).toEqual([
      { command: 'input-send-event', args: { events: [{ type: 'key', data: { down: true, key: { type: 'qcode', data: 'a' } } }] } },
      { command: 'input-send-event', args: { events: [{ type: 'key', data: { down: false, key: { type: 'qcode', data: 'a' } } }] } },
    ]);
  });

  it('keeps call order and spaces events by the device minimum gap (keypad 15 ms, usb-kbd 12 ms)', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    await Promise.all(keys.map((k, i) => svc.injectKey('s1', k, i % 2 === 0)));
    const sent = qmp.calls.map((c) => (c.args!.events as { data: { key: { data: string } } }[])[0]!.data.key.data);
    expect(sent).toEqual(keys);
    for (let i = 1; i < qmp.calls.length; i++) expect(qmp.calls[i]!.at - qmp.calls[i - 1]!.at).toBeGreaterThanOrEqual(minEventGapMs('keypad'));
    device = 'usb-kbd';
    qmp.calls = [];
    await Promise.all(['1', '2', '3'].map((k) => svc.injectKey('s1', k, true)));
    for (let i = 1; i < qmp.calls.length; i++) expect(qmp.calls[i]!.at - qmp.calls[i - 1]!.at).toBeGreaterThanOrEqual(minEventGapMs('usb-kbd'));
  });

  it('a failed event does not stop the ones after it', async () => {
    qmp.fail = new Error('QMP gone');
    const first = svc.injectKey('s1', 'a', true);
    const second = svc.injectKey('s1', 'b', true);
    await expect(first).rejects.toThrow('QMP gone');
    qmp.fail = null;
    await expect(second).resolves.toMatchObject({ deliverable: true });
  });

  it('reports keys the keypad cannot deliver but still sends them', async () => {
    expect((await svc.injectKey('s1', 'ret', true)).deliverable).toBe(true);
    expect((await svc.injectKey('s1', '1', true)).deliverable).toBe(false);
    expect((await svc.injectKey('s1', 'esc', true)).deliverable).toBe(false);
    expect(qmp.calls.map((c) => (c.args!.events as { data: { key: { data: string } } }[])[0]!.data.key.data)).toEqual(['ret', '1', 'esc']);
  });

  it('with usb-kbd digits, esc and ctrl are deliverable', async () => {
    device = 'usb-kbd';
    for (const k of ['1', 'esc', 'ctrl', 'tab', 'minus', 'f5']) expect((await svc.injectKey('s1', k, true)).deliverable, k).toBe(true);
  });

  it('tells listeners after QEMU accepted the key, with host time and latency', async () => {
    const seen: InjectedKey[] = [];
    const off = svc.onInjected((e) => seen.push(e));
    const before = performance.timeOrigin + performance.now();
    const r = await svc.injectKey('s1', 'l', true);
    const after = performance.timeOrigin + performance.now();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ sessionId: 's1', key: 'l', down: true, deliverable: true, latencyUs: r.latencyUs });
    expect(seen[0]!.atMs).toBeGreaterThanOrEqual(before);
    expect(seen[0]!.atMs).toBeLessThanOrEqual(after);
    expect(r.latencyUs).toBeGreaterThanOrEqual(0);
    off();
    await svc.injectKey('s1', 'l', false);
    expect(seen).toHaveLength(1);
  });

  it('a listener that throws does not fail the key', async () => {
    svc.onInjected(() => {
      throw new Error('recorder broke');
    });
    await expect(svc.injectKey('s1', 'a', true)).resolves.toMatchObject({ deliverable: true });
  });

  it('a key QEMU does not know is a bad request naming the key; listeners hear nothing', async () => {
    const seen: InjectedKey[] = [];
    svc.onInjected((e) => seen.push(e));
    qmp.fail = new QmpCommandError('input-send-event', 'GenericError', "Parameter 'data' does not accept value 'nokey'");
    await expect(svc.injectKey('s1', 'nokey', true)).rejects.toThrow(/key code 'nokey'/);
    expect(seen).toEqual([]);
  });

  it('an unknown session is not-found', async () => {
    await expect(svc.injectKey('nope', 'a', true)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('a reproduction (deterministic replay) refuses keys and sends nothing; a recording session takes them', async () => {
    device = 'usb-kbd';
    rrMode = 'replay';
    await expect(svc.injectKey('s1', 'a', true)).rejects.toMatchObject({ code: 'invalid-state', message: expect.stringMatching(/reproduces a recording/) });
    expect(qmp.calls).toEqual([]);
    rrMode = 'record';
    await svc.injectKey('s1', 'a', true);
    expect(qmp.calls).toHaveLength(1);
  });
});

describe('InputService.keys', () => {
  it('lists the 37 keypad keys for mainstone, the full keyboard for usb-kbd', () => {
    const k = svc.keys('s1');
    expect(k.device).toBe('keypad');
    expect(k.deliverable).toHaveLength(37);
    expect(k.deliverable).toEqual(expect.arrayContaining(['a', 'z', 'dot', 'slash', 'home', 'shift', 'spc', 'ret', 'backspace', 'up', 'down', 'left', 'right']));
    expect(k.deliverable).not.toContain('1');
    device = 'usb-kbd';
    expect(svc.keys('s1')).toEqual({ device: 'usb-kbd', deliverable: [...USB_KBD_KEYS] });
    expect(new Set(USB_KBD_KEYS).size).toBe(USB_KBD_KEYS.length);
    for (const key of mainstone.keypadKeys) expect(USB_KBD_KEYS).toContain(key);
  });
});

describe('InputService.grab', () => {
  it('screendumps a PNG into the runtime folder, returns its size and removes the file', async () => {
    const f = await svc.grab('s1');
    expect(f).toMatchObject({ width: 240, height: 320 });
    expect(Buffer.from(f.base64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(qmp.calls[0]!.command).toBe('screendump');
    expect(qmp.calls[0]!.args).toMatchObject({ format: 'png' });
    expect(fs.existsSync(qmp.calls[0]!.args!.filename as string)).toBe(false);
    expect(path.dirname(qmp.calls[0]!.args!.filename as string)).toBe(dir);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a session that is not running, naming its state', async () => {
    state = 'stopped';
    await expect(svc.grab('s1')).rejects.toThrow(/is stopped: start it/);
  });

  it('removes the file when QEMU fails', async () => {
    qmp.fail = new Error('boom');
    await expect(svc.grab('s1')).rejects.toThrow('boom');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('pngSize', () => {
  it('reads IHDR and refuses what is not a PNG', () => {
    expect(pngSize(pngHeader(7, 9))).toEqual({ width: 7, height: 9 });
    expect(() => pngSize(Buffer.from('P6\n240 320\n255\n'))).toThrow(/did not write a PNG/);
  });
});
