/**
 * AgentClient against the real C agent (resources/guest/agent) built for the host and run in
 * `--stdio` mode; with a fault injector on both directions for the lossy cases.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentBroker, socketStream } from './broker';
import { AgentError, Op, type AgentEventMessage } from './client';
import { DataDirection, openDataConnection, parseToken } from './data-channel';
import { crc32 } from './frame-codec';
import { Debuggee } from './gdb-bridge';
import { parseInputEvent, type InputEvent } from './input-event';
import { buildAgent, startNativeAgent, until, type NativeAgent } from './testing/native-agent';

beforeAll(() => {
  buildAgent('host');
}, 120_000);

let agents: NativeAgent[] = [];
afterEach(() => {
  for (const a of agents) a.close();
  agents = [];
});

function agent(o: Parameters<typeof startNativeAgent>[0] = {}): NativeAgent {
  const a = startNativeAgent(o);
  agents.push(a);
  return a;
}

const procState = (pid: number): string => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').charAt(0);

describe('AgentClient ↔ native agent', () => {
  it('handshakes and learns the capabilities', async () => {
    const a = agent();
    await a.client.whenUp(5000);
    expect(a.client.capabilities).toMatchObject({ protocol: '1', agent: 'benchtop-agent 0.1', window: '8', max_payload: '4096' });
    expect(a.client.capabilities.services).toContain('gdb');
    const p = await a.client.control.ping();
    expect(p.uptimeMs).toBeGreaterThanOrEqual(0);
  });

  it('lists a big directory (RESP_PART aggregation), stats, removes', async () => {
    const a = agent();
    const d = path.join(a.dir, 'many');
    fs.mkdirSync(d);
    for (let i = 0; i < 600; i++) fs.writeFileSync(path.join(d, `file-with-a-long-name-${String(i).padStart(4, '0')}.txt`), 'x'.repeat(i));
    fs.mkdirSync(path.join(d, 'sub'));
    const ui = a.client.channel('ui');
    const entries = await ui.list(d);
    expect(entries).toHaveLength(601);
    expect(entries.find((e) => e.name === 'sub')).toMatchObject({ type: 'd' });
    expect(entries.find((e) => e.name === 'file-with-a-long-name-0042.txt')).toMatchObject({ type: 'f', size: 42 });
    const st = await ui.stat(path.join(d, 'file-with-a-long-name-0007.txt'));
    expect(st).toMatchObject({ type: 'f', size: 7 });
    await ui.remove(path.join(d, 'sub'));
    expect(await ui.exists(path.join(d, 'sub'))).toBe(false);
    const err = await ui.stat(path.join(d, 'nope')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect(err).toMatchObject({ reason: 'agent', errno: 2, code: 'not-found' });
  });

  it('put then get a 1 MiB random file byte-identical, with mode, over a lossy line', async () => {
    const a = agent({ faults: { drop: 0.02, corrupt: 0.02, insert: 0.02, seed: 7 } });
    const ui = a.client.channel('ui');
    const data = crypto.randomBytes(1 << 20);
    const target = path.join(a.dir, 'big.bin');
    let progress = 0;
    await ui.put(target, data, { mode: 0o640, onProgress: (s) => (progress = s) });
    expect(progress).toBe(data.length);
    expect(fs.readFileSync(target).equals(data)).toBe(true);
    expect(fs.statSync(target).mode & 0o7777).toBe(0o640);
    const back = await ui.get(target);
    expect(back.equals(data)).toBe(true);
    const toFile = path.join(a.dir, 'back.bin');
    await ui.getToFile(target, toFile);
    expect(fs.readFileSync(toFile).equals(data)).toBe(true);
    expect(a.toAgent.injected() + a.toHost.injected()).toBeGreaterThan(0);
    expect(a.client.link.stats.retransmits).toBeGreaterThan(0);
  }, 60_000);

  it('a transfer cut mid-way leaves no file at the target name (abort, and link reset)', async () => {
    const a = agent();
    const ui = a.client.channel('ui');
    const target = path.join(a.dir, 'cut.bin');
    const ac = new AbortController();
    const p = ui.put(target, crypto.randomBytes(1 << 20), { signal: ac.signal, onProgress: (s) => s > 200_000 && ac.abort() });
    await expect(p).rejects.toMatchObject({ reason: 'aborted' });
    await until(() => fs.readdirSync(a.dir).every((n) => !n.startsWith('cut.bin')), 5000, 'temp file removed');
    expect(fs.existsSync(target)).toBe(false);
    // Cut by the agent going away ("guest reboot"): the new agent never saw the transfer.
    const p2 = ui.put(target, crypto.randomBytes(1 << 20), { onProgress: (s) => s > 200_000 && s < 220_000 && a.reboot() });
    await expect(p2).rejects.toMatchObject({ reason: 'link-reset' });
    expect(fs.existsSync(target)).toBe(false);
  }, 30_000);

  it('spawns with stdout/stderr/stdin, suspends, resumes and kills', async () => {
    const a = agent();
    const ui = a.client.channel('proc');
    let out = '';
    const echo = await ui.spawn(['sh', '-c', 'echo out-$X; echo err >&2; cat; exit 3'], { env: { X: '42' }, onOutput: (s, d) => (out += `${s}:${d.toString()}`) });
    await echo.write('line from stdin\n');
    await echo.closeStdin();
    expect(await echo.exited).toEqual({ how: 'exit', code: 3 });
    expect(out).toContain('stdout:out-42\n');
    expect(out).toContain('stderr:err\n');
    expect(out).toContain('line from stdin');

    const sleeper = await ui.spawn(['sleep', '100']);
    await until(() => ['S', 'R'].includes(procState(sleeper.pid)), 2000, 'sleep running');
    await sleeper.signal('SIGSTOP');
    await until(() => procState(sleeper.pid) === 'T', 2000, 'state T');
    await sleeper.signal('SIGCONT');
    await until(() => ['S', 'R'].includes(procState(sleeper.pid)), 2000, 'state S/R');
    await sleeper.signal('SIGKILL');
    expect(await sleeper.exited).toEqual({ how: 'signal', code: 9 });
  });

  it('delivers events: markers from the FIFO and child exits', async () => {
    const a = agent();
    const events: AgentEventMessage[] = [];
    a.client.on('event', (e) => events.push(e));
    await a.client.channel('events').events();
    fs.writeFileSync(a.eventsFifo, 'phase=1 start\n');
    await until(() => events.some((e) => e.kind === 'marker' && e.text.includes('phase=1 start')), 3000, 'marker event');
    const p = await a.client.channel('x').spawn(['true']);
    await p.exited;
    await until(() => events.some((e) => e.kind === 'exit' && e.text.includes(`pid=${p.pid}`)), 3000, 'exit event');
  });

  it('a guest reboot (a new agent says HELLO) fails pending requests with "agent link reset" and reconnects', async () => {
    const a = agent();
    const ch = a.client.channel('ui');
    await ch.ping();
    const sleeper = await ch.spawn(['sleep', '100']);
    const resets: string[] = [];
    a.client.on('reset', (r) => resets.push(r.reason));
    a.reboot();
    await expect(sleeper.exited).rejects.toThrow(/agent link reset/);
    await a.client.whenUp(5000);
    // The channel connects again by itself.
    expect((await ch.ping()).uptimeMs).toBeLessThan(5000);
    expect(a.client.resets).toBe(1);
    expect(resets.some((r) => /HELLO/.test(r))).toBe(true);
  });

  it('times out a request the agent does not answer', async () => {
    const a = agent({ client: { requestTimeoutMs: 300 } });
    await a.client.whenUp(5000);
    a.child.kill('SIGSTOP');
    try {
      await expect(a.client.control.ping({ timeoutMs: 200 })).rejects.toMatchObject({ reason: 'timeout', code: 'timeout' });
    } finally {
      a.child.kill('SIGCONT');
    }
    await a.client.control.ping();
  });

  it('recovers within 1 s from garbage written into the agent input', async () => {
    const a = agent();
    await a.client.control.ping();
    for (let i = 0; i < 20; i++) {
      const junk = crypto.randomBytes(200);
      junk[0] = 0x42;
      junk[1] = 0x54;
      junk[2] = 1;
      junk[3] = 0x10;
      a.inject(junk);
      const t0 = performance.now();
      await a.client.control.ping({ timeoutMs: 1000 });
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });

  it('keeps working through a lossy line: many pings and lists in parallel', async () => {
    const a = agent({ faults: { drop: 0.05, corrupt: 0.05, insert: 0.05, seed: 3 } });
    const ch = a.client.channel('ui');
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 4 === 0 ? ch.list(a.dir).then(() => 1) : ch.ping().then(() => 1))));
    expect(results).toHaveLength(100);
  }, 60_000);
});

describe('broker and gdb bridge ↔ native agent (fake gdbserver echoes RSP)', () => {
  it('relays an outside debugger through the TCP bridge, two debuggees at once, while other tools keep working', async () => {
    const a = agent();
    // The broker over a socket pair to the same client machinery: here the native agent's
    // client is used directly through channels, as the broker hands them out.
    const d1 = await Debuggee.start(a.client.channel('debug-1'), { spawn: ['sleep', '30'] });
    const d2 = await Debuggee.start(a.client.channel('debug-2'), { spawn: ['sleep', '30'] });
    expect(d1.port).toBeGreaterThan(0);
    expect(d2.port).not.toBe(d1.port);
    expect(d1.pid).toBeGreaterThan(0);
    const talk = (port: number, msg: string) =>
      new Promise<string>((resolve, reject) => {
        const s = net.createConnection({ port, host: '127.0.0.1' }, () => s.write(msg));
        let got = '';
        s.on('data', (b) => {
          got += b.toString('latin1');
          if (got.length >= msg.length) {
            s.destroy();
            resolve(got);
          }
        });
        s.on('error', reject);
      });
    const [r1, r2] = await Promise.all([talk(d1.port, '+$qSupported#37'), talk(d2.port, '+$g#67')]);
    expect(r1).toBe('+$qSupported#37');
    expect(r2).toBe('+$g#67');
    await a.client.channel('ui').ping();
    await d1.stop();
    expect(await d1.whenEnded()).toMatchObject({ how: 'signal' });
    expect(d1.state).toBe('exited');
    await d2.stop();
  });

  it('AgentBroker connects over a socket, subscribes to events, and shares channels by tool name', async () => {
    const a = agent();
    // A socket pair: the broker on one end, the native agent's pipes spliced to the other.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    // Detach the agent from its test client and splice it to the socket.
    a.client.close();
    server.on('connection', (sock) => {
      sock.on('error', () => undefined);
      sock.on('data', (b) => a.inject(b));
      a.child.stdout!.on('data', (b: Buffer) => sock.write(b));
    });
    const broker = new AgentBroker({ connect: async () => socketStream(net.createConnection({ port, host: '127.0.0.1' })) });
    const events: AgentEventMessage[] = [];
    broker.on('event', (e) => events.push(e));
    await broker.open();
    await broker.ready(5000);
    expect(broker.channel('ui')).toBe(broker.channel('ui'));
    expect((await broker.channel('ui').ping()).uptimeMs).toBeGreaterThanOrEqual(0);
    await until(async () => {
      fs.writeFileSync(a.eventsFifo, 'hello-broker\n');
      return events.some((e) => e.text === 'hello-broker');
    }, 3000, 'marker through the broker');
    expect(broker.status().state).toBe('connected');
    broker.close();
    server.close();
  });

  it('inputWatch: key events from the input devices as parsed `input` events, on again after a reboot, off stops them', async () => {
    const a = agent();
    await a.client.whenUp(5000);
    const ev0 = path.join(a.inputDir, 'event0');
    execFileSync('mkfifo', [ev0]);
    const w = fs.openSync(ev0, fs.constants.O_RDWR | fs.constants.O_NONBLOCK); // the FIFO never reports EOF
    // struct input_event on this 64-bit host: timeval (2 × i64), u16 type, u16 code, s32 value.
    const key = (sec: number, usec: number, code: number, value: number) => {
      const b = Buffer.alloc(24);
      b.writeBigInt64LE(BigInt(sec), 0);
      b.writeBigInt64LE(BigInt(usec), 8);
      b.writeUInt16LE(1, 16); // EV_KEY
      b.writeUInt16LE(code, 18);
      b.writeInt32LE(value, 20);
      return b;
    };
    const got: InputEvent[] = [];
    a.client.on('event', (e) => {
      const p = e.kind === 'input' ? parseInputEvent(e.text) : null;
      if (p) got.push(p);
    });
    const ch = a.client.channel('replay');
    expect(await ch.inputWatch(true)).toEqual([{ node: 'event0', name: '?' }]);
    fs.writeSync(w, Buffer.concat([key(1, 5, 30, 1), key(1, 9, 30, 0)]));
    await until(() => got.length >= 2, 3000, 'two input events');
    expect(got).toEqual([
      { dev: 'event0', name: '?', code: 30, value: 1, tUs: 1_000_005 },
      { dev: 'event0', name: '?', code: 30, value: 0, tUs: 1_000_009 },
    ]);
    // The guest reboots: the new agent knows nothing of the watch; the channel turns it on again.
    const epoch = a.client.epoch;
    a.reboot();
    await until(() => a.client.isUp && a.client.epoch !== epoch, 5000, 'link up again');
    await until(() => {
      fs.writeSync(w, key(2, 0, 48, 1));
      return got.some((e) => e.code === 48);
    }, 5000, 'input after the reboot');
    await ch.inputWatch(false);
    const n = got.length;
    fs.writeSync(w, key(3, 0, 31, 1));
    // The agent closed the device before it answered: nothing can be read from it any more.
    const fdDir = `/proc/${a.child.pid}/fd`;
    expect(fs.readdirSync(fdDir).map((f) => fs.readlinkSync(path.join(fdDir, f))).filter((t) => t.startsWith(a.inputDir))).toEqual([]);
    await ch.ping(); // and whatever was queued before came in order ahead of this answer
    expect(got.length).toBe(n);
    fs.closeSync(w);
  });

  it('data channel: 1 MiB put and get byte-identical over TCP, a small file over the link, no data channel → the link', async () => {
    const a = agent({ dataChannel: true });
    await a.client.whenUp(5000);
    expect(Number(a.client.capabilities.data_port)).toBeGreaterThan(0);
    const ui = a.client.channel('ui');
    const data = crypto.randomBytes(1 << 20);
    const dst = path.join(a.dir, 'big.bin');
    const linkFramesBefore = a.client.link.stats.framesSent;
    expect(await ui.put(dst, data)).toMatchObject({ size: data.length, via: 'data' });
    expect(a.client.link.stats.framesSent - linkFramesBefore).toBeLessThan(10); // PUT_BEGIN, PUT_END, acks: no data frames
    expect(fs.readFileSync(dst).equals(data)).toBe(true);
    const got: Buffer[] = [];
    const r = await ui.getStream(dst, { via: 'data', onChunk: (c) => got.push(c) });
    expect(r).toMatchObject({ size: data.length, via: 'data' });
    expect(Buffer.concat(got).equals(data)).toBe(true);
    const hostCopy = path.join(a.dir, 'copy.bin');
    expect(await ui.getToFile(dst, hostCopy)).toMatchObject({ via: 'data' });
    expect(fs.readFileSync(hostCopy).equals(data)).toBe(true);
    expect(await ui.put(path.join(a.dir, 'small.txt'), Buffer.from('hello'))).toMatchObject({ via: 'uart' });
    expect(await ui.put(path.join(a.dir, 'forced.txt'), Buffer.from('hello'), { via: 'data' })).toMatchObject({ via: 'data' });
    expect(fs.readFileSync(path.join(a.dir, 'forced.txt'), 'utf8')).toBe('hello');
    expect(await ui.put(path.join(a.dir, 'empty'), Buffer.alloc(0), { via: 'data' })).toMatchObject({ size: 0, via: 'data' });
    expect(fs.statSync(path.join(a.dir, 'empty')).size).toBe(0);

    const plain = agent(); // no data channel: the same calls use the link
    await plain.client.whenUp(5000);
    expect(plain.client.capabilities.data_port).toBeUndefined();
    const pdst = path.join(plain.dir, 'p.bin');
    expect(await plain.client.channel('ui').put(pdst, data.subarray(0, 200_000))).toMatchObject({ via: 'uart' });
    await expect(plain.client.channel('ui').put(pdst, data, { via: 'data' })).rejects.toMatchObject({ reason: 'data-channel', phase: 'setup' });
  });

  it('data channel: a connection cut mid-way leaves no file and no temp at the target name; a wrong token is refused; an unreachable port falls back to the link', async () => {
    const a = agent({ dataChannel: true });
    await a.client.whenUp(5000);
    const ui = a.client.channel('ui');
    const data = crypto.randomBytes(4 << 20);
    const noTrace = () => fs.readdirSync(a.dir).every((n) => !n.startsWith('cut.bin'));
    // Cut as soon as the first bytes are on their way (on loopback a later cut could come
    // after the agent already has everything: that transfer would rightly succeed).
    let agentHad = -1;
    const p = ui.put(path.join(a.dir, 'cut.bin'), data, {
      onDataSocket: (s) => setImmediate(() => s.destroy()),
      onProgress: (n) => (agentHad = n),
    });
    await expect(p).rejects.toMatchObject({ reason: 'data-channel', phase: 'transfer' });
    expect(agentHad).toBeLessThan(data.length);
    await until(noTrace, 3000, 'no cut.bin*');

    // Wrong token, by hand: PUT_BEGIN asks for the data channel, the header carries another token.
    const ch = await ui.channelId();
    const begin = await a.client.request(ch, Op.PUT_BEGIN, [path.join(a.dir, 'tok.bin'), '0644', 3, 'data']);
    const token = parseToken(begin[1])!;
    const target = a.client.dataTarget()!;
    const wrong = Buffer.from(token);
    wrong[0] = wrong[0]! ^ 1;
    await expect(openDataConnection(target, { direction: DataDirection.PUT, handle: Number(begin[0]), token: wrong })).rejects.toThrow(/refused by the agent/);
    // The transfer is still there for its owner.
    const s = await openDataConnection(target, { direction: DataDirection.PUT, handle: Number(begin[0]), token });
    s.end(Buffer.from('abc'));
    await a.client.request(ch, Op.PUT_END, [begin[0]!.toString(), crc32(Buffer.from('abc'))]);
    expect(fs.readFileSync(path.join(a.dir, 'tok.bin'), 'utf8')).toBe('abc');

    // A target where nothing answers (QEMU's forward with no listener in the guest): the link.
    const dead = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const b = agent({ dataChannel: true, client: { dataTarget: () => ({ host: '127.0.0.1', port: (dead.address() as net.AddressInfo).port }) } });
    await b.client.whenUp(5000);
    const r = await b.client.channel('ui').put(path.join(b.dir, 'fb.bin'), data.subarray(0, 100_000));
    expect(r.via).toBe('uart');
    expect(b.client.dataFallbacks).toBe(1);
    expect(fs.readFileSync(path.join(b.dir, 'fb.bin')).equals(data.subarray(0, 100_000))).toBe(true);
    expect(fs.readdirSync(b.dir).filter((n) => n.includes('.btpart.'))).toEqual([]);
    dead.close();
  });
});
