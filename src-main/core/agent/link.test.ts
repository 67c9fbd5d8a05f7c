import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, FrameType } from './frame-codec';
import { Link, LinkDownError, seqLess, type LinkMessage } from './link';
import { prng, SimClock, SimPipe, type PipeFaults } from './sim';

interface Pair {
  clock: SimClock;
  host: Link;
  agent: Link;
  toAgent: SimPipe;
  toHost: SimPipe;
  gotByAgent: LinkMessage[];
  gotByHost: LinkMessage[];
}

function pair(seed: number, faults: PipeFaults, o: { latencyMs?: number; bytesPerMs?: number } = {}): Pair {
  const clock = new SimClock();
  const rnd = prng(seed);
  // Late binding: the pipes deliver into links created after them.
  const links: { host?: Link; agent?: Link } = {};
  const toAgent = new SimPipe(clock, (b) => links.agent!.receive(b), rnd, faults, o.latencyMs ?? 2, o.bytesPerMs ?? 0);
  const toHost = new SimPipe(clock, (b) => links.host!.receive(b), rnd, faults, o.latencyMs ?? 2, o.bytesPerMs ?? 0);
  const host = new Link({ role: 'host', capabilities: 'protocol=1\nside=host', write: toAgent.write, clock });
  const agent = new Link({ role: 'agent', capabilities: 'protocol=1\nside=agent', write: toHost.write, clock });
  links.host = host;
  links.agent = agent;
  const p: Pair = { clock, host, agent, toAgent, toHost, gotByAgent: [], gotByHost: [] };
  agent.on('message', (m) => p.gotByAgent.push(m));
  host.on('message', (m) => p.gotByHost.push(m));
  return p;
}

const msg = (i: number, size: number, type: number = FrameType.REQ): LinkMessage => {
  const payload = Buffer.alloc(size);
  for (let k = 0; k < size; k++) payload[k] = (i * 31 + k) & 0xff;
  return { type, channel: i % 5, requestId: i + 1, payload };
};

const faultsArb = fc.record({
  drop: fc.double({ min: 0, max: 0.25, noNaN: true }),
  corrupt: fc.double({ min: 0, max: 0.25, noNaN: true }),
  insert: fc.double({ min: 0, max: 0.25, noNaN: true }),
  split: fc.double({ min: 0, max: 0.5, noNaN: true }),
});

describe('Link', () => {
  it('handshakes and exchanges frames over a clean pipe', () => {
    const p = pair(1, { drop: 0, corrupt: 0, insert: 0, split: 0 });
    const ups: string[] = [];
    p.host.on('up', (u) => ups.push(u.peerCapabilities));
    p.host.start();
    p.clock.run(() => p.host.isUp, 10_000);
    expect(ups).toEqual(['protocol=1\nside=agent']);
    expect(() => p.host.send({ type: FrameType.ACK, channel: 0, requestId: 0, payload: Buffer.alloc(0) })).toThrow();
    p.host.send(msg(1, 10));
    p.agent.send(msg(2, 10, FrameType.RESP));
    p.clock.run(() => false, 60_000);
    expect(p.gotByAgent.map((m) => m.requestId)).toEqual([2]);
    expect(p.gotByHost.map((m) => m.requestId)).toEqual([3]);
    expect(p.host.inFlight).toBe(0);
    expect(p.agent.inFlight).toBe(0);
    expect(p.host.stats.retransmits + p.agent.stats.retransmits).toBe(0);
  });

  it('refuses to send before the link is up', () => {
    const p = pair(1, { drop: 0, corrupt: 0, insert: 0, split: 0 });
    expect(() => p.host.send(msg(1, 1))).toThrow(LinkDownError);
  });

  it('delivers every message exactly once and in order over a lossy, corrupting, inserting pipe', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        faultsArb,
        fc.array(fc.integer({ min: 0, max: 4096 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 4096 }), { maxLength: 40 }),
        fc.boolean(),
        (seed, faults, upSizes, downSizes, agentFirst) => {
          const p = pair(seed, faults, { latencyMs: 1 + (seed & 3), bytesPerMs: seed & 4 ? 470 : 0 });
          if (agentFirst) {
            p.agent.start();
            p.host.start();
          } else {
            p.host.start();
            p.clock.run(() => false, 1200); // the agent boots later: the host's HELLOs go unanswered
            p.agent.start();
          }
          const ok = p.clock.run(() => p.host.isUp && p.agent.isUp, 120_000);
          expect(ok).toBe(true);
          // Frames sent before the two sides agreed may be reset away by a late HELLO_ACK; once
          // both are up with the same epoch, nothing is lost.
          p.clock.run(() => false, p.clock.t + 2000);
          const hostEpoch = p.host.epoch;
          const agentEpoch = p.agent.epoch;
          upSizes.forEach((n, i) => p.host.send(msg(i, n)));
          downSizes.forEach((n, i) => p.agent.send(msg(1000 + i, n, FrameType.STREAM)));
          const done = p.clock.run(() => p.gotByAgent.length >= upSizes.length && p.gotByHost.length >= downSizes.length, p.clock.t + 600_000);
          expect(done).toBe(true);
          expect(p.host.epoch).toBe(hostEpoch);
          expect(p.agent.epoch).toBe(agentEpoch);
          expect(p.gotByAgent.map((m) => m.requestId)).toEqual(upSizes.map((_, i) => i + 1));
          expect(p.gotByHost.map((m) => m.requestId)).toEqual(downSizes.map((_, i) => 1001 + i));
          p.gotByAgent.forEach((m, i) => expect(m.payload.equals(msg(i, upSizes[i]!).payload)).toBe(true));
          p.gotByHost.forEach((m, i) => expect(m.payload.equals(msg(1000 + i, downSizes[i]!).payload)).toBe(true));
          // With the faults switched off the link settles: everything acknowledged, no timer left
          // running (no ACK ping-pong).
          p.toAgent.faultsOn = false;
          p.toHost.faultsOn = false;
          const quiet = p.clock.run(() => p.clock.pending === 0, p.clock.t + 60_000);
          expect(quiet).toBe(true);
          expect(p.host.inFlight + p.agent.inFlight + p.host.queued + p.agent.queued).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps at most 8 frames in flight and queues the rest', () => {
    const p = pair(3, { drop: 0, corrupt: 0, insert: 0, split: 0 }, { latencyMs: 50 });
    p.agent.start();
    p.host.start();
    p.clock.run(() => p.host.isUp, 10_000);
    for (let i = 0; i < 20; i++) p.host.send(msg(i, 100));
    expect(p.host.inFlight).toBe(8);
    expect(p.host.queued).toBe(12);
    let drained = 0;
    p.host.on('drain', () => drained++);
    p.clock.run(() => p.gotByAgent.length === 20, 60_000);
    expect(drained).toBeGreaterThan(0);
  });

  it('sends over a slow line (56 KB/s, host → guest at 115200 baud) without spurious resends', () => {
    const p = pair(8, { drop: 0, corrupt: 0, insert: 0, split: 0 }, { latencyMs: 1, bytesPerMs: 56 });
    p.agent.start();
    p.host.start();
    p.clock.run(() => p.host.isUp && p.agent.isUp, 10_000);
    p.clock.run(() => false, p.clock.t + 1000);
    const t0 = p.clock.t;
    for (let i = 0; i < 100; i++) p.host.send(msg(i, 4000));
    p.clock.run(() => p.gotByAgent.length === 100, t0 + 600_000);
    expect(p.host.stats.retransmits).toBe(0);
    // 100 × 4024 bytes at 56 bytes/ms ≈ 7.2 s: the line never idles.
    expect(p.clock.t - t0).toBeLessThan(7500);
  });

  it('acknowledges within 20 ms when it has nothing to send', () => {
    const p = pair(4, { drop: 0, corrupt: 0, insert: 0, split: 0 }, { latencyMs: 1 });
    p.agent.start();
    p.host.start();
    p.clock.run(() => p.host.isUp && p.agent.isUp, 10_000);
    p.clock.run(() => false, p.clock.t + 100);
    const t0 = p.clock.t;
    p.host.send(msg(1, 10));
    p.clock.run(() => p.host.inFlight === 0, t0 + 1000);
    // 1 ms there, ≤ 20 ms ack delay, 1 ms back.
    expect(p.clock.t - t0).toBeLessThanOrEqual(22);
  });

  it('resends after the retransmit timeout when a frame is lost', () => {
    const p = pair(5, { drop: 0, corrupt: 0, insert: 0, split: 0 }, { latencyMs: 1 });
    p.agent.start();
    p.host.start();
    p.clock.run(() => p.host.isUp && p.agent.isUp, 10_000);
    p.clock.run(() => false, p.clock.t + 100);
    // Lose the next frame to the agent entirely.
    const realWrite = p.toAgent.write;
    let dropped = 0;
    (p.host as unknown as { opts: { write: (b: Buffer) => void } }).opts.write = (b) => {
      if (dropped++ === 0) return;
      realWrite(b);
    };
    const t0 = p.clock.t;
    p.host.send(msg(1, 10));
    p.clock.run(() => p.gotByAgent.length === 1, t0 + 5000);
    expect(p.clock.t - t0).toBeGreaterThanOrEqual(300);
    expect(p.clock.t - t0).toBeLessThan(400);
    expect(p.host.stats.timeouts).toBe(1);
  });

  it('a HELLO from the agent while up resets the link (guest reboot) and reports it', () => {
    const p = pair(6, { drop: 0, corrupt: 0, insert: 0, split: 0 });
    p.agent.start();
    p.host.start();
    p.clock.run(() => p.host.isUp && p.agent.isUp, 10_000);
    const resets: string[] = [];
    p.host.on('reset', (r) => resets.push(r.reason));
    const epoch = p.host.epoch;
    // The reboot: a fresh agent link on the same pipe.
    p.host.send(msg(1, 10));
    const fresh = new Link({ role: 'agent', capabilities: 'protocol=1\nboot=2', write: p.toHost.write, clock: p.clock });
    (p as { agent: Link }).agent = fresh;
    p.agent.start();
    let up = '';
    p.host.on('up', (u) => (up = u.peerCapabilities));
    p.clock.run(() => up !== '', p.clock.t + 5000);
    expect(up).toContain('boot=2');
    expect(p.host.epoch).toBeGreaterThan(epoch);
    expect(resets[0]).toMatch(/HELLO/);
  });

  it('handshakes again when the peer lost its state without a HELLO reaching the host', () => {
    const p = pair(7, { drop: 0, corrupt: 0, insert: 0, split: 0 });
    p.agent.start();
    p.host.start();
    p.clock.run(() => p.host.isUp && p.agent.isUp, 10_000);
    for (let i = 0; i < 5; i++) p.host.send(msg(i, 10));
    p.clock.run(() => p.gotByAgent.length === 5 && p.host.inFlight === 0, 10_000);
    // The agent restarted and its HELLO was lost: it acks 0 for the host's frame 6.
    const resets: string[] = [];
    p.host.on('reset', (r) => resets.push(r.reason));
    p.host.receive(encodeFrame({ type: FrameType.ACK, ack: 0 }));
    expect(resets[0]).toMatch(/backwards/);
    expect(p.host.state).toBe('handshaking');
    p.clock.run(() => p.host.isUp, p.clock.t + 5000);
    expect(p.host.isUp).toBe(true);
  });

  it('compares sequence numbers across the u32 wrap', () => {
    expect(seqLess(1, 2)).toBe(true);
    expect(seqLess(2, 1)).toBe(false);
    expect(seqLess(0xffffffff, 1)).toBe(true);
    expect(seqLess(5, 5)).toBe(false);
  });
});
