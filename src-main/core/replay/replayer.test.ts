import { describe, expect, it } from 'vitest';
import type { RecordingDoc } from '../../../src-shared/features/recording';
import { percentileOf, replayDocument } from './replayer';
import { recordingOf } from './testing';

const doc = recordingOf;

describe('replayDocument', () => {
  it('injects every key and console event near its time, in order, and skips markers', async () => {
    const log: { what: string; at: number }[] = [];
    const now = () => performance.timeOrigin + performance.now();
    const events: RecordingDoc['events'] = [];
    for (let i = 0; i < 40; i++) events.push({ id: `k${i}`, t: i * 5000, kind: 'key', key: 'a', down: i % 2 === 0 });
    events.push({ id: 'm', t: 200_000, kind: 'marker', text: 'x' }, { id: 'c', t: 210_000, kind: 'console', data: 'ls\r' });
    const run = await replayDocument({
      doc: doc(events),
      speed: 1,
      leadMs: 20,
      injector: {
        // A QMP-like round trip of ~1 ms: the injection happens in the middle of it.
        key: async (key, down) => {
          const sent = now();
          while (now() < sent + 0.5) {
            /* QEMU working */
          }
          log.push({ what: `${key}${down ? 'd' : 'u'}`, at: now() });
          await new Promise((r) => setImmediate(r));
        },
        console: (data) => log.push({ what: data, at: now() }),
      },
    });
    expect(log.map((l) => l.what)).toEqual([...Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'ad' : 'au')), 'ls\r']);
    const marker = run.results.find((r) => r.eventId === 'm')!;
    expect(marker.injectedUs).toBeNull();
    const errs = run.results.filter((r) => r.injectedUs !== null).map((r) => r.injectedUs! - r.scheduledUs);
    // Loose bounds (a unit test on a shared, loaded machine): the benchmark measures the figure.
    expect(percentileOf(errs.map(Math.abs), 50)!).toBeLessThan(20_000);
    expect(run.compensationUs).toBeGreaterThan(0);
  });

  it('plays at the asked speed and stops when cancelled', async () => {
    const ac = new AbortController();
    const injected: number[] = [];
    const events: RecordingDoc['events'] = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, t: i * 100_000, kind: 'console' as const, data: `${i}` }));
    const t = performance.now();
    const run = await replayDocument({
      doc: doc(events),
      speed: 4, // 900 ms of recording in 225 ms
      leadMs: 5,
      signal: ac.signal,
      injector: { key: async () => undefined, console: (d) => (injected.push(Number(d)), Number(d) === 5 && ac.abort()) },
    });
    expect(injected).toEqual([0, 1, 2, 3, 4, 5]);
    expect(performance.now() - t).toBeLessThan(400);
    expect(run.results[6]!.injectedUs).toBeNull();
    expect(run.results[5]!.scheduledUs).toBe(125_000);
  });

  it('takes the injector’s own injection time when it has one, and sends ahead by the send → injection delay', async () => {
    // A fake QEMU that handles each key 3 ms after the send and answers 0.2 ms later: the middle
    // of the round trip would be 1.4 ms early; the injector's stamp is not.
    const now = () => performance.timeOrigin + performance.now();
    const stamps: number[] = [];
    const events: RecordingDoc['events'] = Array.from({ length: 12 }, (_, i) => ({ id: `k${i}`, t: i * 40_000, kind: 'key' as const, key: 'a', down: i % 2 === 0 }));
    const run = await replayDocument({
      doc: doc(events),
      speed: 1,
      leadMs: 10,
      now,
      injector: {
        key: async () => {
          const sent = now();
          while (now() < sent + 3.2) {
            /* QEMU working */
          }
          stamps.push(sent + 3);
          return { latencyUs: (now() - sent) * 1000, injectedAt: sent + 3 };
        },
        console: () => undefined,
      },
    });
    expect(run.tracedKeys).toBe(12);
    for (const [i, r] of run.results.entries()) expect(r.injectedUs).toBeCloseTo((stamps[i]! - run.t0) * 1000, 3);
    // After the first key the lead is the 3 ms send → injection delay, not half the 3.2 ms
    // round trip (how close that brings each key is the benchmark's to say, not a unit test's).
    expect(run.compensationUs).toBeGreaterThan(2500);
    expect(run.compensationUs).toBeLessThan(3100);
  });
});
