import { describe, expect, it } from 'vitest';
import { ConsoleBuffer, TRUNCATED_NOTE, type BufferEvent } from './consoleBuffer';

function withEvents(opts?: { maxChars: number; maxPendingChars: number }) {
  const b = new ConsoleBuffer(opts);
  const events: BufferEvent[] = [];
  b.subscribe((e) => events.push(e));
  return { b, events };
}

describe('ConsoleBuffer', () => {
  it('parks live chunks until the transcript arrives, then drops those it already holds', () => {
    const { b } = withEvents();
    b.push(0, 'boot'); // arrived before the fetch started
    const gen = b.beginSync();
    b.push(4, 'ing\r\n'); // arrives while the fetch is in flight, included in the transcript
    b.push(9, '# '); // not included
    expect(b.content()).toBe('');
    b.applyTranscript(gen, { data: 'booting\r\n', totalBytes: 9, truncated: false });
    expect(b.content()).toBe('booting\r\n# ');
    expect(b.state).toBe('synced');
  });

  it('appends live chunks after the transcript and ignores duplicates and late chunks', () => {
    const { b } = withEvents();
    const gen = b.beginSync();
    b.applyTranscript(gen, { data: 'abc', totalBytes: 3, truncated: false });
    b.push(1, 'bc'); // late: part of the transcript
    b.push(3, 'def');
    b.push(3, 'def'); // delivered twice
    b.push(6, 'g');
    expect(b.content()).toBe('abcdefg');
  });

  it('uses byte offsets, not string lengths (multi-byte text)', () => {
    const { b } = withEvents();
    const gen = b.beginSync();
    b.push(0, 'é'); // 2 bytes
    b.push(2, '→'); // 3 bytes
    b.push(5, 'x');
    b.applyTranscript(gen, { data: 'é→', totalBytes: 5, truncated: false });
    expect(b.content()).toBe('é→x');
    b.push(6, '€');
    expect(b.content()).toBe('é→x€');
  });

  it('ignores empty chunks (a split UTF-8 sequence gives an empty text)', () => {
    const { b, events } = withEvents();
    b.applyTranscript(b.beginSync(), { data: '', totalBytes: 0, truncated: false });
    events.length = 0;
    b.push(0, '');
    b.push(0, 'é');
    expect(b.content()).toBe('é');
    expect(events).toEqual([{ type: 'append', data: 'é' }]);
  });

  it('emits append for live text and reset when the transcript replaces the content', () => {
    const { b, events } = withEvents();
    b.applyTranscript(b.beginSync(), { data: 'one', totalBytes: 3, truncated: false });
    expect(events).toEqual([{ type: 'reset' }]);
    b.push(3, 'two');
    expect(events.at(-1)).toEqual({ type: 'append', data: 'two' });
  });

  it('after a reconnect, a transcript that extends the content appends only the missing tail', () => {
    const { b, events } = withEvents();
    b.applyTranscript(b.beginSync(), { data: 'one', totalBytes: 3, truncated: false });
    b.push(3, 'two');
    b.markStale();
    expect(b.state).toBe('stale');
    expect(b.needsSync).toBe(true);
    events.length = 0;
    const gen = b.beginSync();
    b.push(9, 'four'); // arrives during the refetch
    b.applyTranscript(gen, { data: 'onetwothree', totalBytes: 11, truncated: false });
    // 'four' started at 9 < 11: the transcript already holds it (under different text here only
    // to prove the chunk was dropped by offset)
    expect(b.content()).toBe('onetwothree');
    expect(events).toEqual([{ type: 'append', data: 'three' }]);
  });

  it('resets when the transcript does not extend what is shown', () => {
    const { b, events } = withEvents();
    b.applyTranscript(b.beginSync(), { data: 'abc', totalBytes: 3, truncated: false });
    b.markStale();
    events.length = 0;
    b.applyTranscript(b.beginSync(), { data: 'xyz', totalBytes: 3, truncated: false });
    expect(b.content()).toBe('xyz');
    expect(events).toEqual([{ type: 'reset' }]);
  });

  it('marks a truncated transcript', () => {
    const { b } = withEvents();
    b.applyTranscript(b.beginSync(), { data: 'tail', totalBytes: 100, truncated: true });
    expect(b.content()).toBe(TRUNCATED_NOTE + 'tail');
  });

  it('ignores the result of a superseded fetch', () => {
    const { b } = withEvents();
    const first = b.beginSync();
    const second = b.beginSync();
    expect(b.applyTranscript(first, { data: 'old', totalBytes: 3, truncated: false })).toBe(false);
    expect(b.applyTranscript(second, { data: 'new!', totalBytes: 4, truncated: false })).toBe(true);
    expect(b.content()).toBe('new!');
  });

  it('a failed fetch shows the parked chunks and asks for another sync', () => {
    const { b } = withEvents();
    const gen = b.beginSync();
    b.push(10, 'x');
    b.push(11, 'y');
    b.failSync(gen);
    expect(b.content()).toBe('xy');
    expect(b.state).toBe('stale');
    b.push(12, 'z'); // stale buffers follow live output
    expect(b.content()).toBe('xyz');
  });

  it('markStale during a fetch fails that fetch', () => {
    const { b } = withEvents();
    const gen = b.beginSync();
    b.push(0, 'a');
    b.markStale();
    expect(b.state).toBe('stale');
    expect(b.content()).toBe('a');
    expect(b.applyTranscript(gen, { data: 'zzz', totalBytes: 3, truncated: false })).toBe(false);
  });

  it('caps the content, dropping the oldest text', () => {
    const { b } = withEvents({ maxChars: 10, maxPendingChars: 10 });
    b.applyTranscript(b.beginSync(), { data: '', totalBytes: 0, truncated: false });
    b.push(0, '0123456789');
    b.push(10, 'abcde');
    expect(b.content()).toBe('56789abcde');
    expect(b.size).toBe(10);
    expect(b.trimmed).toBe(true);
  });

  it('caps the parked chunks', () => {
    const { b } = withEvents({ maxChars: 100, maxPendingChars: 5 });
    b.push(0, 'aaa');
    b.push(3, 'bbb');
    b.push(6, 'ccc');
    b.failSync(b.beginSync());
    expect(b.content()).toBe('ccc');
  });

  it('keeps the array of chunks short under many small appends', () => {
    const { b } = withEvents();
    b.applyTranscript(b.beginSync(), { data: '', totalBytes: 0, truncated: false });
    for (let i = 0; i < 10_000; i++) b.push(i, 'x');
    expect(b.content()).toBe('x'.repeat(10_000));
  });

  it('tail returns the last lines', () => {
    const { b } = withEvents();
    b.applyTranscript(b.beginSync(), { data: 'l1\r\nl2\r\nl3\r\nprompt# ', totalBytes: 18, truncated: false });
    expect(b.tail(1)).toBe('prompt# ');
    expect(b.tail(2)).toBe('l3\r\nprompt# ');
    expect(b.tail(100)).toBe(b.content());
  });

  it('markers start on a new line and are not kept across a resync', () => {
    const { b } = withEvents();
    b.applyTranscript(b.beginSync(), { data: '# ', totalBytes: 2, truncated: false });
    b.appendMarker('--- run 2 ---\r\n');
    expect(b.content()).toBe('# \r\n--- run 2 ---\r\n');
    b.markStale();
    b.applyTranscript(b.beginSync(), { data: '# boot', totalBytes: 6, truncated: false });
    expect(b.content()).toBe('# boot');
  });
});
