import { describe, expect, it } from 'vitest';
import { WriteQueue } from './writeQueue';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('WriteQueue', () => {
  it('sends the first key at once and coalesces what is typed meanwhile', async () => {
    const sent: string[] = [];
    const waiting: (() => void)[] = [];
    const q = new WriteQueue(
      (d) => {
        sent.push(d);
        return new Promise<void>((r) => waiting.push(r));
      },
      () => {},
    );
    q.push('l');
    q.push('s');
    q.push('\r');
    expect(sent).toEqual(['l']);
    waiting.shift()!();
    await tick();
    expect(sent).toEqual(['l', 's\r']);
    waiting.shift()!();
    await tick();
    expect(q.idle).toBe(true);
  });

  it('splits large pastes within the limit, keeping surrogate pairs whole', async () => {
    const sent: string[] = [];
    const q = new WriteQueue(
      async (d) => {
        sent.push(d);
      },
      () => {},
      4,
    );
    q.push('abc😀def');
    await tick();
    await tick();
    expect(sent.join('')).toBe('abc😀def');
    expect(sent[0]).toBe('abc');
    for (const s of sent) expect(s.length).toBeLessThanOrEqual(4);
  });

  it('reports a failed write and drops what was queued behind it', async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    let fail = true;
    const q = new WriteQueue(
      async (d) => {
        sent.push(d);
        if (fail) throw new Error('not running');
      },
      (e) => errors.push(e),
    );
    q.push('a');
    q.push('b');
    await tick();
    expect(errors).toHaveLength(1);
    expect(sent).toEqual(['a']);
    fail = false;
    q.push('c');
    await tick();
    expect(sent).toEqual(['a', 'c']);
  });
});
