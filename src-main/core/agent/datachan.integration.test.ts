/**
 * The agent's data channel on a real mainstone guest (docs/agent-protocol.md section 4d): file
 * bytes over QEMU's user network (host 127.0.0.1:<port> → guest :7777), control over the UART.
 */
import crypto from 'node:crypto';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootToPrompt, liveCore } from '../../../test/live-core';
import type { Core } from '../core';
import { Op, type AgentChannel } from './client';
import { DataDirection, openDataConnection, parseToken } from './data-channel';
import { crc32 } from './frame-codec';
import { until } from './testing/native-agent';

let core: Core;
let dispose: () => Promise<void>;
let id: string;
let ui: AgentChannel;

beforeAll(async () => {
  ({ core, dispose } = await liveCore());
  id = await bootToPrompt(core, 'agent-data');
  await core.agents.waitReady(id, 60_000);
  ui = core.agents.channel(id, 'ui');
}, 900_000);
afterAll(async () => dispose?.());

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** md5sum in the guest: a third opinion besides our own GET. */
async function guestMd5(path: string): Promise<string> {
  let out = '';
  const p = await ui.spawn(['md5sum', path], { onOutput: (_s, d) => (out += d.toString()) });
  expect(await p.exited).toEqual({ how: 'exit', code: 0 });
  return out.trim().split(/\s+/)[0]!;
}

const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');

describe('agent data channel on a real mainstone guest', () => {
  it('is offered and forwarded from 127.0.0.1 only', () => {
    expect(core.agents.status(id).capabilities.data_port).toBe('7777');
    const port = core.sessions.qemu(id).agentDataPort;
    expect(port).toBeGreaterThan(0);
    expect(core.agents.broker(id).client.dataTarget()).toEqual({ host: '127.0.0.1', port });
  });

  it('1 MiB random put through the data channel, byte-identical (GET back over the data channel, md5sum in the guest)', async () => {
    const data = crypto.randomBytes(1 << 20);
    const t0 = performance.now();
    const r = await ui.put('/tmp/dc-1m.bin', data, { via: 'data' });
    const putS = (performance.now() - t0) / 1000;
    expect(r).toMatchObject({ size: data.length, via: 'data' });
    const t1 = performance.now();
    const back = await ui.get('/tmp/dc-1m.bin', { via: 'data' });
    const getS = (performance.now() - t1) / 1000;
    expect(back.equals(data)).toBe(true);
    expect(await guestMd5('/tmp/dc-1m.bin')).toBe(md5(data));
    console.log(`data channel 1 MiB: put ${putS.toFixed(2)} s (${(1 / putS).toFixed(2)} MiB/s), get ${getS.toFixed(2)} s (${(1 / getS).toFixed(2)} MiB/s)`);
    await ui.remove('/tmp/dc-1m.bin');
  }, 120_000);

  it('8 MiB random put through the data channel, byte-identical, while pings keep answering (p99 ≤ 50 ms)', async () => {
    const data = crypto.randomBytes(8 << 20);
    const rtts: number[] = [];
    let putting = true;
    const pinger = (async () => {
      while (putting) rtts.push((await core.agents.ping(id)).rttMs);
    })();
    const t0 = performance.now();
    let r;
    try {
      r = await ui.put('/tmp/dc-8m.bin', data, { via: 'data' });
    } finally {
      putting = false;
      await pinger;
    }
    const putS = (performance.now() - t0) / 1000;
    expect(r).toMatchObject({ size: data.length, via: 'data' });
    const p99 = percentile(rtts, 99);
    console.log(`data channel 8 MiB put: ${putS.toFixed(2)} s (${(8 / putS).toFixed(2)} MiB/s); ${rtts.length} pings meanwhile: p50 ${percentile(rtts, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...rtts).toFixed(1)} ms`);
    expect(rtts.length).toBeGreaterThanOrEqual(20);
    expect(p99).toBeLessThanOrEqual(50);
    const t1 = performance.now();
    const back = await ui.get('/tmp/dc-8m.bin', { via: 'data' });
    console.log(`data channel 8 MiB get: ${((performance.now() - t1) / 1000).toFixed(2)} s`);
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
    await ui.remove('/tmp/dc-8m.bin');
  }, 300_000);

  it('a transfer cut mid-way (the TCP socket destroyed) fails clearly and leaves no file and no temp at the target name', async () => {
    const data = crypto.randomBytes(4 << 20);
    let sock: net.Socket | undefined;
    const p = ui.put('/tmp/dc-cut.bin', data, {
      via: 'data',
      onDataSocket: (s) => (sock = s),
      onProgress: (inAgent) => {
        if (inAgent >= 128 << 10) sock?.destroy(); // the agent's count: some bytes are in its temp file
      },
    });
    await expect(p).rejects.toMatchObject({ reason: 'data-channel', phase: 'transfer' });
    await until(async () => (await ui.list('/tmp')).every((e) => !e.name.startsWith('dc-cut.bin')), 10_000, 'no dc-cut.bin*');
    expect(await ui.exists('/tmp/dc-cut.bin')).toBe(false);
    expect((await core.agents.ping(id)).uptimeMs).toBeGreaterThan(0); // the agent is fine
  }, 120_000);

  it('a wrong token is refused and cannot write; the right one still can', async () => {
    const client = core.agents.broker(id).client;
    const ch = await ui.channelId();
    const body = crypto.randomBytes(100_000);
    const begin = await client.request(ch, Op.PUT_BEGIN, ['/tmp/dc-token.bin', '0644', body.length, 'data']);
    const handle = Number(begin[0]!.toString());
    const token = parseToken(begin[1])!;
    const target = client.dataTarget()!;
    const wrong = crypto.randomBytes(16);
    await expect(openDataConnection(target, { direction: DataDirection.PUT, handle, token: wrong })).rejects.toThrow(/refused by the agent/);
    await expect(openDataConnection(target, { direction: DataDirection.GET, handle, token })).rejects.toThrow(/refused by the agent/); // wrong direction
    const s = await openDataConnection(target, { direction: DataDirection.PUT, handle, token });
    s.end(body);
    await client.request(ch, Op.PUT_END, [handle, crc32(body)], { timeoutMs: 60_000 });
    expect(await guestMd5('/tmp/dc-token.bin')).toBe(md5(body));
    // Used once: the same token cannot open the finished transfer again.
    await expect(openDataConnection(target, { direction: DataDirection.PUT, handle, token })).rejects.toThrow(/refused by the agent/);
    await ui.remove('/tmp/dc-token.bin');
  }, 120_000);
});
