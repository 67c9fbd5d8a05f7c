/**
 * Typed debug operations over RSP, for any byte transport (a gdbserver relayed by the agent,
 * or QEMU's gdbstub): read/write memory (m/M), registers (g/p/P), breakpoints (Z0/z0),
 * continue and step (vCont or c/s), interrupt (0x03), stop replies, detach and kill.
 *
 * All-stop: one command at a time; `cont()` / `step()` resolve with the stop reply when the
 * target stops again (breakpoint, signal, exit, or `interrupt()`). Ack mode stays on unless
 * `noAck` is asked for, so an outside gdb can take the same gdbserver over later (it starts in
 * ack mode).
 */
import { encodePacket, isStopReply, parseStopReply, RspDecoder, type StopReply } from './rsp-codec';

export interface RspClientOptions {
  write: (bytes: Buffer) => void;
  timeoutMs?: number;
  /** Console output of the inferior (`O` packets). */
  onConsole?: (text: string) => void;
  /** Stop replies that nobody waited for (e.g. after an outside gdb let the target run). */
  onStop?: (stop: StopReply) => void;
}

export class RspError extends Error {
  constructor(
    message: string,
    readonly errorCode: number | null = null,
  ) {
    super(message);
    this.name = 'RspError';
  }
}

interface Waiter {
  resolve: (text: string) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
  /** Waiting for a stop reply (skips anything else), or the next reply. */
  stop: boolean;
}

export type RunState = 'unknown' | 'stopped' | 'running' | 'exited';

export class RspClient {
  state: RunState = 'unknown';
  lastStop: StopReply | null = null;
  features: Record<string, string | boolean> = {};
  private readonly decoder = new RspDecoder();
  private readonly timeoutMs: number;
  private noAck = false;
  private lastSent: Buffer | null = null;
  private waiter: Waiter | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private vContActions: Set<string> | null = null;
  private closedWith: Error | null = null;
  private pUnsupported = false;

  constructor(private readonly opts: RspClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Bytes from the stub. */
  receive(chunk: Uint8Array): void {
    for (const item of this.decoder.push(chunk)) {
      if (item.kind === 'nack' && this.lastSent) this.opts.write(this.lastSent);
      if (item.kind !== 'packet') continue;
      if (!this.noAck) this.opts.write(Buffer.from(item.checksumOk ? '+' : '-'));
      if (!item.checksumOk) continue;
      const text = item.data.toString('latin1');
      if (text.startsWith('O') && text.length > 1 && /^O([0-9a-fA-F]{2})+$/.test(text) && this.state === 'running') {
        this.opts.onConsole?.(Buffer.from(text.slice(1), 'hex').toString('utf8'));
        continue;
      }
      if (isStopReply(text)) {
        const stop = parseStopReply(text);
        this.lastStop = stop;
        this.state = stop.kind === 'exited' || stop.kind === 'terminated' ? 'exited' : 'stopped';
      }
      const w = this.waiter;
      if (w && (!w.stop || isStopReply(text))) {
        this.waiter = null;
        if (w.timer) clearTimeout(w.timer);
        w.resolve(text);
      } else if (isStopReply(text)) this.opts.onStop?.(parseStopReply(text));
    }
  }

  /** Fail whatever waits (the transport went away); later calls fail at once. */
  close(err: Error = new RspError('gdbserver connection closed')): void {
    this.closedWith = err;
    const w = this.waiter;
    this.waiter = null;
    if (w) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** Send a packet and wait for the reply (serialised: one command at a time). */
  command(payload: string | Buffer, o: { timeoutMs?: number } = {}): Promise<string> {
    return this.enqueue(() => this.exchange(payload, false, o.timeoutMs ?? this.timeoutMs));
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private exchange(payload: string | Buffer, stop: boolean, timeoutMs: number | null): Promise<string> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<string>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        stop,
        timer:
          timeoutMs === null
            ? null
            : setTimeout(() => {
                if (this.waiter === w) this.waiter = null;
                reject(new RspError(`no reply to '${String(payload).slice(0, 40)}' within ${timeoutMs} ms`));
              }, timeoutMs),
      };
      this.waiter = w;
      const pkt = encodePacket(payload);
      this.lastSent = pkt;
      this.opts.write(pkt);
    });
  }

  private static check(reply: string, what: string): string {
    if (/^E[0-9a-fA-F]{2}$/.test(reply) || reply.startsWith('E.')) throw new RspError(`${what}: ${reply}`, /^E[0-9a-fA-F]{2}$/.test(reply) ? parseInt(reply.slice(1), 16) : null);
    return reply;
  }

  private static ok(reply: string, what: string): void {
    RspClient.check(reply, what);
    if (reply === '') throw new RspError(`${what}: not supported by the stub`);
    if (reply !== 'OK') throw new RspError(`${what}: unexpected reply '${reply.slice(0, 40)}'`);
  }

  /** qSupported, then `?` (the current stop state). */
  async handshake(o: { noAck?: boolean } = {}): Promise<StopReply> {
    const sup = await this.command('qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+;no-resumed+;xmlRegisters=arm');
    for (const f of sup.split(';')) {
      if (f.endsWith('+')) this.features[f.slice(0, -1)] = true;
      else if (f.endsWith('-')) this.features[f.slice(0, -1)] = false;
      else if (f.includes('=')) this.features[f.slice(0, f.indexOf('='))] = f.slice(f.indexOf('=') + 1);
    }
    if (o.noAck && this.features.QStartNoAckMode === true) {
      const r = await this.command('QStartNoAckMode');
      if (r === 'OK') this.noAck = true;
    }
    const v = await this.command('vCont?');
    this.vContActions = v.startsWith('vCont') ? new Set(v.split(';').slice(1)) : null;
    const stop = parseStopReply(await this.command('?'));
    this.lastStop = stop;
    this.state = stop.kind === 'exited' || stop.kind === 'terminated' ? 'exited' : 'stopped';
    return stop;
  }

  async readMemory(addr: number | bigint, length: number): Promise<Buffer> {
    const max = Math.max(16, Math.floor((Number(this.features.PacketSize ? parseInt(String(this.features.PacketSize), 16) : 4096) - 8) / 2));
    const parts: Buffer[] = [];
    for (let off = 0; off < length; ) {
      const n = Math.min(max, length - off);
      const r = RspClient.check(await this.command(`m${(BigInt(addr) + BigInt(off)).toString(16)},${n.toString(16)}`), `read memory at 0x${(BigInt(addr) + BigInt(off)).toString(16)}`);
      if (!/^([0-9a-fA-F]{2})*$/.test(r) || r.length === 0) throw new RspError(`read memory: unexpected reply '${r.slice(0, 40)}'`);
      parts.push(Buffer.from(r, 'hex'));
      off += r.length / 2;
    }
    return Buffer.concat(parts);
  }

  async writeMemory(addr: number | bigint, data: Buffer): Promise<void> {
    const r = await this.command(`M${BigInt(addr).toString(16)},${data.length.toString(16)}:${data.toString('hex')}`);
    RspClient.ok(r, `write memory at 0x${BigInt(addr).toString(16)}`);
  }

  /** All registers (`g`) as raw bytes in target order. */
  async readRegisters(): Promise<Buffer> {
    const r = RspClient.check(await this.command('g'), 'read registers');
    return Buffer.from(r.replace(/x/g, '0'), 'hex');
  }

  /** ARM view of `g`: r0…r15 (r13 sp, r14 lr, r15 pc) and cpsr where the stub sends it. */
  async readArmRegisters(): Promise<{ r: number[]; pc: number; sp: number; lr: number; cpsr: number | null }> {
    const g = await this.readRegisters();
    const r: number[] = [];
    for (let i = 0; i < 16 && (i + 1) * 4 <= g.length; i++) r.push(g.readUInt32LE(i * 4));
    // Without FPA registers cpsr follows r15; the legacy layout puts it after 8 × 12-byte f0–f7 and fps.
    const cpsr = g.length === 17 * 4 ? g.readUInt32LE(64) : g.length >= 64 + 96 + 4 + 4 ? g.readUInt32LE(64 + 96 + 4) : null;
    return { r, pc: r[15] ?? 0, sp: r[13] ?? 0, lr: r[14] ?? 0, cpsr };
  }

  /** One register (`p n`), as a little-endian number when it is 4 or 8 bytes. */
  async readRegister(n: number): Promise<bigint> {
    let b: Buffer;
    const r = this.pUnsupported ? '' : RspClient.check(await this.command(`p${n.toString(16)}`), `read register ${n}`);
    if (r === '') {
      // No `p` (gdbserver on ARM answers it empty): take the register from `g`, where r0…r15
      // are the first 16 × 4 bytes.
      this.pUnsupported = true;
      if (n >= 16) throw new RspError(`read register ${n}: the stub has no 'p' packet and only r0…r15 are known in 'g'`);
      b = (await this.readRegisters()).subarray(n * 4, n * 4 + 4);
      if (b.length !== 4) throw new RspError(`read register ${n}: 'g' reply too short`);
    } else if (/^([0-9a-fA-F]{2})+$/.test(r)) b = Buffer.from(r, 'hex');
    else throw new RspError(`read register ${n}: unexpected reply '${r.slice(0, 40)}'`);
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }

  async writeRegister(n: number, value: bigint | number, bytes = 4): Promise<void> {
    const b = Buffer.alloc(bytes);
    let v = BigInt(value);
    for (let i = 0; i < bytes; i++) {
      b[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    RspClient.ok(await this.command(`P${n.toString(16)}=${b.toString('hex')}`), `write register ${n}`);
  }

  /** The program counter (ARM r15). */
  async readPc(): Promise<number> {
    return Number(await this.readRegister(15));
  }

  /** Software breakpoint (Z0); kind 4 = ARM, 2 = Thumb. */
  async insertBreakpoint(addr: number | bigint, kind = 4): Promise<void> {
    RspClient.ok(await this.command(`Z0,${BigInt(addr).toString(16)},${kind}`), `breakpoint at 0x${BigInt(addr).toString(16)}`);
  }

  async removeBreakpoint(addr: number | bigint, kind = 4): Promise<void> {
    RspClient.ok(await this.command(`z0,${BigInt(addr).toString(16)},${kind}`), `remove breakpoint at 0x${BigInt(addr).toString(16)}`);
  }

  /** Continue; resolves with the stop reply when the target stops (no timeout by default). */
  cont(o: { signal?: number; timeoutMs?: number } = {}): Promise<StopReply> {
    const sig = o.signal ? o.signal.toString(16).padStart(2, '0') : null;
    const cmd = this.vContActions?.has('c') ? (sig ? `vCont;C${sig}` : 'vCont;c') : sig ? `C${sig}` : 'c';
    return this.resume(cmd, o.timeoutMs ?? null);
  }

  /** Single step; resolves with the stop reply. */
  step(o: { timeoutMs?: number } = {}): Promise<StopReply> {
    const cmd = this.vContActions?.has('s') ? 'vCont;s' : 's';
    return this.resume(cmd, o.timeoutMs ?? this.timeoutMs);
  }

  private resume(cmd: string, timeoutMs: number | null): Promise<StopReply> {
    return this.enqueue(async () => {
      const p = this.exchange(cmd, true, timeoutMs);
      this.state = 'running';
      return parseStopReply(await p);
    });
  }

  /**
   * Stop a running target (0x03). The pending `cont()` resolves with the stop reply; this
   * resolves with it too.
   */
  async interrupt(o: { timeoutMs?: number } = {}): Promise<StopReply> {
    if (this.state !== 'running' || !this.waiter) {
      if (this.lastStop) return this.lastStop;
      throw new RspError('the target is not running');
    }
    const w = this.waiter;
    const timeoutMs = o.timeoutMs ?? this.timeoutMs;
    return new Promise<StopReply>((resolve, reject) => {
      const prevResolve = w.resolve;
      const prevReject = w.reject;
      const timer = setTimeout(() => reject(new RspError(`the target did not stop within ${timeoutMs} ms of the interrupt`)), timeoutMs);
      w.resolve = (text) => {
        clearTimeout(timer);
        prevResolve(text);
        resolve(parseStopReply(text));
      };
      w.reject = (err) => {
        clearTimeout(timer);
        prevReject(err);
        reject(err);
      };
      this.opts.write(Buffer.from([0x03]));
    });
  }

  async detach(): Promise<void> {
    const r = await this.command('D');
    RspClient.check(r, 'detach');
  }

  async kill(): Promise<void> {
    const pid = this.lastStop?.kind === 'stopped' ? this.lastStop.thread?.match(/^p([0-9a-fA-F]+)/)?.[1] : undefined;
    try {
      await this.command(pid ? `vKill;${pid}` : 'k', { timeoutMs: 3000 });
    } catch {
      /* `k` has no reply on some stubs: the connection just ends */
    }
  }
}
