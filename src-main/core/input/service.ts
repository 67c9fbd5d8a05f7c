/**
 * Guest input and the board's screen, through QMP. Keys go to QEMU's input layer, which hands
 * them to the session's keyboard (the board's keypad, or usb-kbd); the screen is QMP
 * screendump as PNG. Other features (the event manager's recorder) listen to every injected key
 * through onInjected, so a key typed in the Screen pane and one sent by a script look the same.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchtopError } from '../../../src-shared/errors';
import type { ScreenFrame } from '../../../src-shared/features/input';
import type { InputDevice } from '../../../src-shared/features/recording';
import { findBoard } from '../boards/profiles';
import { assertTakesInput } from '../determinism/takes-input';
import { deliverableKeys, minEventGapMs, qmpKeyEvent } from './keys';

/** The part of QmpClient this service uses (a fake in unit tests). */
export interface InputQmp {
  execute<T = unknown>(command: string, args?: Record<string, unknown>, opts?: { timeoutMs?: number }): Promise<T>;
}

/** What the service needs from the sessions (SessionService in the core). */
export interface InputSessions {
  get(id: string): { name: string; board: string; state: string; inputDevice: InputDevice; determinism: { mode: string } };
  qemu(id: string): { qmpClient: InputQmp; runtimeDir: string };
}

export interface InjectedKey {
  sessionId: string;
  key: string;
  down: boolean;
  /** Host ms (performance.timeOrigin + performance.now(), sub-ms) when the event was sent to QEMU. */
  atMs: number;
  /** QMP round trip of the input-send-event, µs. */
  latencyUs: number;
  deliverable: boolean;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk; a clear error if the bytes are not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new BenchtopError('internal', `screendump did not write a PNG (${png.length} bytes)`);
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export class InputService {
  private readonly listeners = new Set<(e: InjectedKey) => void>();
  private grabSeq = 0;
  /** Per session: the chain of key events (sent in call order) and when the last one went. */
  private readonly pace = new Map<string, { tail: Promise<unknown>; lastAt: number }>();

  constructor(private readonly sessions: InputSessions) {}

  /** The session's input device and the keys it delivers to the guest. */
  keys(sessionId: string): { device: InputDevice; deliverable: string[] } {
    const s = this.sessions.get(sessionId);
    const board = findBoard(s.board);
    if (!board) throw new BenchtopError('unsupported-board', `session ${sessionId} has an unknown board '${s.board}'`);
    return { device: s.inputDevice, deliverable: [...deliverableKeys(board, s.inputDevice)] };
  }

  /**
   * One key press or release as its own input-send-event: one event per QMP command, so a press
   * and its release never share a sync frame (the guest would see them at the same instant).
   * Keys the device cannot deliver are sent anyway — QEMU's model decides — and reported.
   * latencyUs is the QMP round trip, not counting the wait for the device's minimum gap.
   */
  async injectKey(sessionId: string, key: string, down: boolean): Promise<{ latencyUs: number; deliverable: boolean }> {
    assertTakesInput(this.sessions.get(sessionId));
    const { device, deliverable: keys } = this.keys(sessionId);
    const deliverable = keys.includes(key);
    const qmp = this.sessions.qemu(sessionId).qmpClient;
    // Events go out in call order, spaced by the device's minimum gap (keys.ts: back-to-back
    // events replace each other in QEMU's keypad, overflow its USB keyboard's queue).
    const st = this.pace.get(sessionId) ?? { tail: Promise.resolve(), lastAt: -Infinity };
    this.pace.set(sessionId, st);
    const run = st.tail.then(async () => {
      // Timers have whole-ms granularity and may fire a little early: wait until really due.
      const due = st.lastAt + minEventGapMs(device);
      for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) await new Promise((r) => setTimeout(r, Math.ceil(wait)));
      const t0 = performance.now();
      try {
        await this.send(qmp, key, down);
      } finally {
        // From QEMU's answer: the device state changed then, and the guest's scan starts there.
        st.lastAt = performance.now();
      }
      return t0;
    });
    st.tail = run.catch(() => undefined);
    const t0 = await run;
    const latencyUs = Math.round((performance.now() - t0) * 1000);
    const ev: InjectedKey = { sessionId, key, down, atMs: performance.timeOrigin + t0, latencyUs, deliverable };
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        /* a listener's failure must not fail the key the user typed */
      }
    }
    return { latencyUs, deliverable };
  }

  private async send(qmp: InputQmp, key: string, down: boolean): Promise<void> {
    try {
      await qmp.execute('input-send-event', qmpKeyEvent(key, down));
    } catch (e) {
      // QEMU names an unknown key by its parameter; say which key it was.
      if (e instanceof BenchtopError && e.code === 'qmp-error' && /does not accept value|Invalid parameter/i.test(e.message)) {
        throw new BenchtopError('bad-request', `QEMU does not know the key code '${key}' (${e.message})`);
      }
      throw e;
    }
  }

  /** Every injected key, after QEMU accepted it. Returns the unsubscribe function. */
  onInjected(listener: (e: InjectedKey) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The board's display as PNG: QMP screendump into the session's private runtime folder
   * (only this user can read it, and it goes with QEMU), read, delete.
   */
  async grab(sessionId: string): Promise<ScreenFrame> {
    const s = this.sessions.get(sessionId);
    if (s.state !== 'running' && s.state !== 'paused') throw new BenchtopError('invalid-state', `session ${sessionId} is ${s.state}: start it to see its screen`);
    const q = this.sessions.qemu(sessionId);
    const file = path.join(q.runtimeDir, `screen-${++this.grabSeq}.png`);
    try {
      await q.qmpClient.execute('screendump', { filename: file, format: 'png' });
      const at = Date.now();
      const png = await fs.readFile(file);
      return { ...pngSize(png), base64: png.toString('base64'), at };
    } finally {
      await fs.rm(file, { force: true });
    }
  }
}
