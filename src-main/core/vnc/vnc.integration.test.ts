/**
 * Against a real QEMU 7.2 (mainstone, no guest needed: QEMU's input layer and its trace are
 * the subject): the QKeyCode → scan code table, and the VNC key client's handshake and keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainstone } from '../boards/profiles';
import { QNUM_OF_QCODE, USB_KBD_KEYS } from '../input/keys';
import { probeQemu } from '../qemu/probe';
import { TraceLogTail, parseKeyTrace } from '../qemu/trace-log';
import { QmpClient } from '../qmp/client';
import { makePrivateDir } from '../util/private-dir';
import { RfbKeyClient } from './key-client';

let dir: string;
let qemu: ChildProcess;
let qmp: QmpClient;
let log: string;

async function tracedKeys(tail: TraceLogTail, n: number): Promise<{ qcode: string; down: boolean }[]> {
  const out: { qcode: string; down: boolean }[] = [];
  const until = Date.now() + 5000;
  while (out.length < n && Date.now() < until) {
    for (const t of tail.read()) {
      const k = parseKeyTrace(t);
      if (k) out.push(k);
    }
    if (out.length < n) await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}

beforeAll(async () => {
  const caps = await probeQemu(mainstone.qemuBinary);
  dir = makePrivateDir('vnc-it-');
  log = path.join(dir, 'qemu.log');
  // No kernel: the board runs whatever its flash holds; only QEMU's side is under test.
  qemu = spawn(caps.binary, ['-M', 'mainstone', '-display', 'none', '-qmp', `unix:${dir}/qmp.sock,server=on,wait=off`, '-vnc', `unix:${dir}/vnc.sock`, '-D', log, '-msg', 'timestamp=on', '-trace', 'input_event_key_qcode'], { stdio: 'ignore' });
  qmp = await QmpClient.connect(path.join(dir, 'qmp.sock'), { timeoutMs: 10_000 });
});

afterAll(async () => {
  qmp?.close();
  qemu?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('QEMU 7.2', () => {
  it('maps every key of the keyboards back to its QKeyCode from the scan code in QNUM_OF_QCODE', async () => {
    const keys = [...new Set([...USB_KBD_KEYS, ...mainstone.keypadKeys])];
    expect(keys.filter((k) => QNUM_OF_QCODE[k] === undefined)).toEqual([]);
    const tail = new TraceLogTail(log);
    for (const k of keys) await qmp.execute('input-send-event', { events: [{ type: 'key', data: { down: true, key: { type: 'number', data: QNUM_OF_QCODE[k] } } }] });
    const seen = await tracedKeys(tail, keys.length);
    tail.close();
    expect(seen.map((s) => s.qcode)).toEqual(keys);
  });

  it('takes key events from the VNC key client, by scan code, in order', async () => {
    const tail = new TraceLogTail(log);
    const vnc = await RfbKeyClient.connect(path.join(dir, 'vnc.sock'));
    const sent = ['a', 'shift', 'z', 'ret', 'up', 'kp_enter', 'ctrl_r'];
    for (const k of sent) {
      vnc.key(QNUM_OF_QCODE[k]!, true);
      vnc.key(QNUM_OF_QCODE[k]!, false);
    }
    const seen = await tracedKeys(tail, sent.length * 2);
    vnc.close();
    tail.close();
    expect(seen).toEqual(sent.flatMap((k) => [{ qcode: k, down: true }, { qcode: k, down: false }]));
  });

  it('refuses a socket that is not a VNC server with a clear error', async () => {
    await expect(RfbKeyClient.connect(path.join(dir, 'qmp-not-vnc.sock'), { timeoutMs: 500 })).rejects.toThrow(/VNC .*qmp-not-vnc\.sock/);
  });
});
