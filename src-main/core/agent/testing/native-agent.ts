/**
 * Test helpers: the real C agent (resources/guest/agent) built for the host (`make`) or for the
 * guest (`make arm`), cached by a hash of its sources, and a native agent process on a pipe
 * pair with an optional fault injector in both directions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient, type AgentClientOptions } from '../client';
import { agentSourceDir, buildAgent } from '../deploy';
import { prng } from '../sim';

export { buildAgent };

/** The agent's stand-in gdbserver for host tests (echoes RSP back). */
export const fakeGdbserver = (): string => path.join(agentSourceDir(), 'test', 'fake-gdbserver.sh');

export interface Faults {
  /** Probability per chunk written of: losing bytes, flipping one, inserting garbage. */
  drop: number;
  corrupt: number;
  insert: number;
  seed: number;
}

export function faulty(write: (b: Buffer) => void, f: Faults | null): { write: (b: Buffer) => void; injected: () => number; set: (f: Faults | null) => void } {
  let faults = f;
  let rnd = prng(f?.seed ?? 1);
  let n = 0;
  return {
    injected: () => n,
    set: (nf) => {
      faults = nf;
      rnd = prng(nf?.seed ?? 1);
    },
    write: (buf) => {
      if (!faults) return write(buf);
      let b = Buffer.from(buf);
      if (rnd() < faults.insert) {
        const junk = crypto.randomBytes(1 + Math.floor(rnd() * 30));
        if (rnd() < 0.5) junk[0] = 0x42;
        b = Buffer.concat([junk, b]);
        n++;
      }
      if (b.length > 1 && rnd() < faults.drop) {
        const at = Math.floor(rnd() * b.length);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(rnd() * Math.min(50, b.length - at - 1)))]);
        n++;
      }
      if (b.length && rnd() < faults.corrupt) {
        const at = Math.floor(rnd() * b.length);
        b[at] = b[at]! ^ (1 + Math.floor(rnd() * 255));
        n++;
      }
      write(b);
    },
  };
}

export interface NativeAgent {
  child: ChildProcess;
  client: AgentClient;
  /** Where marker lines go (a FIFO the agent created). */
  eventsFifo: string;
  /** The agent's input folder (INPUT_WATCH): FIFOs named eventN stand in for evdev nodes. */
  inputDir: string;
  dir: string;
  toAgent: ReturnType<typeof faulty>;
  toHost: ReturnType<typeof faulty>;
  /** Replace the agent process by a fresh one on new pipes (a "guest reboot"). */
  reboot(): ChildProcess;
  /** Raw bytes into the agent's input (garbage tests). */
  inject(b: Buffer): void;
  close(): void;
}

/** A native agent in `--stdio` mode with an AgentClient on it (started, not yet up). */
export function startNativeAgent(o: { faults?: Faults | null; client?: Partial<AgentClientOptions>; verbose?: boolean; dataChannel?: boolean } = {}): NativeAgent {
  const bin = buildAgent('host');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-agent-'));
  const eventsFifo = path.join(dir, 'events');
  // Stands in for /dev/input (INPUT_WATCH): tests put FIFOs named eventN there.
  const inputDir = path.join(dir, 'input');
  fs.mkdirSync(inputDir);
  let child: ChildProcess;
  const toAgent = faulty((b) => {
    if (child.stdin && !child.stdin.destroyed) child.stdin.write(b);
  }, o.faults ?? null);
  // The data channel on loopback: the agent's own port is the target (no QEMU forward here).
  const client = new AgentClient({ ...(o.dataChannel ? { dataTarget: (port: number) => ({ host: '127.0.0.1', port }) } : {}), ...o.client, write: toAgent.write });
  const toHost = faulty((b) => client.receive(b), o.faults ?? null);
  const launch = () => {
    const c = spawn(bin, [...(o.verbose ? ['-vv'] : []), '--stdio', '--events', eventsFifo, '--gdbserver', fakeGdbserver(), '--input-dir', inputDir, '--data-listen', o.dataChannel ? '127.0.0.1:0' : 'off'], { stdio: ['pipe', 'pipe', o.verbose ? 'inherit' : 'ignore'] });
    c.stdin!.on('error', () => undefined);
    c.stdout!.on('data', (b: Buffer) => {
      if (c === child) toHost.write(b);
    });
    return c;
  };
  child = launch();
  client.start();
  return {
    get child() {
      return child;
    },
    client,
    eventsFifo,
    inputDir,
    dir,
    toAgent,
    toHost,
    reboot() {
      const old = child;
      child = launch();
      old.kill('SIGKILL');
      return child;
    },
    inject(b) {
      if (!child.stdin!.destroyed) child.stdin!.write(b);
    },
    close() {
      client.close();
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  } as NativeAgent;
}

/** Wait for a condition, polling (tests). */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
