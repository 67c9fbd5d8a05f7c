import { describe, expect, it } from 'vitest';
import type { ScreenFrame } from '../../../../src-shared/features/input';
import { ScreenPoller } from './screenPoller';

/** A manual clock and timer queue, so the test decides when time passes. */
function harness() {
  let t = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const pending: { resolve: (f: ScreenFrame) => void; reject: (e: Error) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const frames: [ScreenFrame, boolean][] = [];
  const poller = new ScreenPoller({
    grab: () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<ScreenFrame>((resolve, reject) => pending.push({ resolve: (f) => (inFlight--, resolve(f)), reject: (e) => (inFlight--, reject(e)) }));
    },
    onFrame: (f, changed) => frames.push([f, changed]),
    now: () => t,
    schedule: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: t + ms, fn, id });
      return id;
    },
    cancel: (id) => {
      const i = timers.findIndex((x) => x.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    intervalMs: 100,
  });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return {
    poller,
    frames,
    pending,
    maxInFlight: () => maxInFlight,
    timers,
    async advance(ms: number) {
      t += ms;
      for (;;) {
        const due = timers.filter((x) => x.at <= t).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        due.fn();
        await flush();
      }
    },
    async answer(base64 = 'AAAA', took = 10) {
      t += took;
      pending.shift()!.resolve({ width: 240, height: 320, base64, at: 0 });
      await flush();
    },
    flush,
  };
}

describe('ScreenPoller', () => {
  it('never has two grabs in flight, and paces them at the interval', async () => {
    const h = harness();
    h.poller.start();
    expect(h.pending).toHaveLength(1);
    h.poller.start(); // a second start while one is in flight does not add one
    await h.advance(500); // a slow grab: nothing else starts meanwhile
    expect(h.pending).toHaveLength(1);
    await h.answer('A', 0);
    // It took longer than the interval: the next one starts at once.
    await h.advance(0);
    expect(h.pending).toHaveLength(1);
    await h.answer('A', 10);
    await h.advance(50);
    expect(h.pending).toHaveLength(0); // 10 + 50 < 100 ms since that grab started
    await h.advance(40);
    expect(h.pending).toHaveLength(1);
    expect(h.maxInFlight()).toBe(1);
  });

  it('counts frames per second, grab times and changed frames', async () => {
    const h = harness();
    h.poller.start();
    for (let i = 0; i < 10; i++) {
      await h.answer(i < 5 ? 'same' : `f${i}`, 10);
      await h.advance(90);
    }
    const s = h.poller.stats;
    expect(s.frames).toBe(10);
    expect(s.fps).toBe(10);
    expect(s.grabMs.every((m) => m === 10)).toBe(true);
    expect(s.changed).toBe(6); // the first frame, then the five different ones
    expect(h.frames.map(([, c]) => c)).toEqual([true, false, false, false, false, true, true, true, true, true]);
    expect(s).toMatchObject({ width: 240, height: 320 });
  });

  it('stops: no grab after stop, even when the one in flight answers', async () => {
    const h = harness();
    h.poller.start();
    h.poller.stop();
    await h.answer('x');
    await h.advance(1000);
    expect(h.pending).toHaveLength(0);
    expect(h.timers).toHaveLength(0);
    expect(h.poller.stats.fps).toBe(0);
  });

  it('keeps polling after a failed grab and reports the error', async () => {
    const h = harness();
    h.poller.start();
    h.pending.shift()!.reject(new Error('the VM is not running'));
    await h.flush();
    expect(h.poller.stats.lastError).toBe('the VM is not running');
    await h.advance(100);
    expect(h.pending).toHaveLength(1);
    await h.answer('ok');
    expect(h.poller.stats.lastError).toBeNull();
  });
});
