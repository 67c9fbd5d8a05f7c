import { describe, expect, it } from 'vitest';
import { encodePacket, RspDecoder } from './rsp-codec';
import { RspClient } from './rsp-client';

/** A tiny ARM-ish gdbserver stand-in: memory at 0x8000, 17 registers, breakpoints, run/stop. */
class FakeStub {
  mem = Buffer.alloc(256);
  regs = new Uint32Array(17);
  bps = new Set<number>();
  running = false;
  acksSeen = 0;
  nackNext = false;
  /** Answer `p` empty, like gdbserver on ARM. */
  noP = false;
  private dec = new RspDecoder();
  constructor(private readonly toClient: (b: Buffer) => void) {
    for (let i = 0; i < this.mem.length; i++) this.mem[i] = i;
    this.regs[15] = 0x8000;
    this.regs[13] = 0xbefff000;
  }
  private reply(s: string, rle = false) {
    setImmediate(() => this.toClient(encodePacket(s, { rle })));
  }
  private stopReply(sig: number, reason = '') {
    const pc = Buffer.alloc(4);
    pc.writeUInt32LE(this.regs[15]!);
    return `T${sig.toString(16).padStart(2, '0')}thread:p42.42;0f:${pc.toString('hex')};${reason}`;
  }
  receive(b: Buffer) {
    for (const it of this.dec.push(b)) {
      if (it.kind === 'ack') this.acksSeen++;
      if (it.kind === 'interrupt' && this.running) {
        this.running = false;
        this.regs[15] = 0x8040;
        this.reply(this.stopReply(2));
      }
      if (it.kind !== 'packet') continue;
      if (this.nackNext) {
        this.nackNext = false;
        setImmediate(() => this.toClient(Buffer.from('-')));
        continue;
      }
      setImmediate(() => this.toClient(Buffer.from('+')));
      this.handle(it.data.toString('latin1'));
    }
  }
  private handle(cmd: string) {
    let m: RegExpMatchArray | null;
    if (cmd.startsWith('qSupported')) return this.reply('PacketSize=4000;QStartNoAckMode+;swbreak+;vContSupported+');
    if (cmd === 'vCont?') return this.reply('vCont;c;C;s;S;t');
    if (cmd === '?') return this.reply(this.stopReply(5));
    if ((m = cmd.match(/^m([0-9a-f]+),([0-9a-f]+)$/))) {
      const a = parseInt(m[1]!, 16) - 0x8000;
      const n = parseInt(m[2]!, 16);
      if (a < 0 || a + n > this.mem.length) return this.reply('E14');
      return this.reply(this.mem.subarray(a, a + n).toString('hex'));
    }
    if ((m = cmd.match(/^M([0-9a-f]+),([0-9a-f]+):([0-9a-f]*)$/))) {
      Buffer.from(m[3]!, 'hex').copy(this.mem, parseInt(m[1]!, 16) - 0x8000);
      return this.reply('OK');
    }
    if (cmd === 'g') return this.reply(Buffer.from(this.regs.buffer).toString('hex'), true);
    if ((m = cmd.match(/^p([0-9a-f]+)$/)) && !this.noP) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(this.regs[parseInt(m[1]!, 16)] ?? 0);
      return this.reply(b.toString('hex'));
    }
    if ((m = cmd.match(/^([Zz])0,([0-9a-f]+),4$/))) {
      if (m[1] === 'Z') this.bps.add(parseInt(m[2]!, 16));
      else this.bps.delete(parseInt(m[2]!, 16));
      return this.reply('OK');
    }
    if (cmd === 'vCont;c') {
      const next = [...this.bps].filter((b) => b > this.regs[15]!).sort((a, b) => a - b)[0];
      if (next !== undefined) {
        this.regs[15] = next;
        return this.reply(this.stopReply(5, 'swbreak:;'));
      }
      this.running = true; // an endless loop: only an interrupt stops it
      return;
    }
    if (cmd === 'vCont;s') {
      this.regs[15] = this.regs[15]! + 4;
      return this.reply(this.stopReply(5));
    }
    if (cmd === 'D') return this.reply('OK');
    this.reply('');
  }
}

function pair() {
  const ends: { client?: RspClient } = {};
  const stub = new FakeStub((b) => ends.client!.receive(b));
  const client = new RspClient({ write: (b) => setImmediate(() => stub.receive(b)), timeoutMs: 2000 });
  ends.client = client;
  return { client, stub };
}

describe('RspClient (typed debug operations)', () => {
  it('handshakes, reads and writes memory, reads registers (RLE reply), acks every packet', async () => {
    const { client, stub } = pair();
    const stop = await client.handshake();
    expect(stop).toMatchObject({ kind: 'stopped', signal: 5, thread: 'p42.42' });
    expect(client.features.PacketSize).toBe('4000');
    expect((await client.readMemory(0x8010, 4)).toString('hex')).toBe('10111213');
    await client.writeMemory(0x8010, Buffer.from('cafe', 'hex'));
    expect((await client.readMemory(0x8010, 2)).toString('hex')).toBe('cafe');
    // More than fits one packet: split into several `m` requests.
    expect((await client.readMemory(0x8000, 256)).equals(stub.mem)).toBe(true);
    const regs = await client.readArmRegisters();
    expect(regs.pc).toBe(0x8000);
    expect(regs.sp).toBe(0xbefff000);
    expect(regs.r[0]).toBe(0);
    expect(await client.readPc()).toBe(0x8000);
    await expect(client.readMemory(0x9000, 4)).rejects.toThrow(/E14/);
    expect(stub.acksSeen).toBeGreaterThanOrEqual(8);
  });

  it('sets a breakpoint, continues to it, steps, removes it', async () => {
    const { client } = pair();
    await client.handshake();
    await client.insertBreakpoint(0x8020);
    const stop = await client.cont();
    expect(stop).toMatchObject({ kind: 'stopped', signal: 5, reason: 'swbreak' });
    expect(stop.kind === 'stopped' && stop.registers.get(15)!.readUInt32LE(0)).toBe(0x8020);
    expect(client.state).toBe('stopped');
    const s2 = await client.step();
    expect(s2.kind === 'stopped' && s2.registers.get(15)!.readUInt32LE(0)).toBe(0x8024);
    await client.removeBreakpoint(0x8020);
  });

  it('continues into an endless loop and interrupts it (0x03)', async () => {
    const { client } = pair();
    await client.handshake();
    const running = client.cont();
    await new Promise((r) => setImmediate(r));
    expect(client.state).toBe('running');
    const stop = await client.interrupt();
    expect(stop).toMatchObject({ kind: 'stopped', signal: 2 });
    expect(await running).toMatchObject({ kind: 'stopped', signal: 2 });
    expect(await client.readPc()).toBe(0x8040);
  });

  it('reads a register from `g` when the stub has no `p`', async () => {
    const { client, stub } = pair();
    stub.noP = true;
    await client.handshake();
    expect(await client.readPc()).toBe(0x8000);
    expect(Number(await client.readRegister(13))).toBe(0xbefff000);
    await expect(client.readRegister(25)).rejects.toThrow(/no 'p' packet/);
  });

  it('resends a packet the stub nacks', async () => {
    const { client, stub } = pair();
    stub.nackNext = true;
    expect(await client.handshake()).toMatchObject({ kind: 'stopped' });
  });

  it('fails what waits when closed', async () => {
    const { client } = pair();
    await client.handshake();
    const running = client.cont();
    client.close(new Error('gone'));
    await expect(running).rejects.toThrow('gone');
    await expect(client.command('g')).rejects.toThrow('gone');
  });
});
