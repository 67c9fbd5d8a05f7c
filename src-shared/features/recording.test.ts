import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRecording, RECORDING_FORMAT, type RecordingDoc } from './recording';

const base = (): RecordingDoc => ({
  format: RECORDING_FORMAT,
  version: 1,
  name: 'r',
  createdAt: '2026-11-22T23:20:00.000Z',
  source: { sessionId: 'abc', board: 'mainstone', inputDevice: 'keypad' },
  speed: 1,
  events: [
    { id: 'e1', t: 0, kind: 'key', key: 'a', down: true },
    { id: 'e2', t: 50_000, kind: 'key', key: 'a', down: false },
    { id: 'e3', t: 50_000, kind: 'console', data: 'ls\r' },
    { id: 'e4', t: 90_000, kind: 'marker', text: 'ready' },
  ],
});

describe('parseRecording', () => {
  it('round-trips a valid document', () => {
    const r = parseRecording(JSON.stringify(base()));
    expect(r).toEqual({ ok: true, doc: base() });
  });

  it('names the problem of a malformed file', () => {
    const cases: [string, RegExp][] = [
      ['{not json', /not JSON/],
      [JSON.stringify({ ...base(), format: 'x' }), /not a Benchtop recording/],
      [JSON.stringify({ ...base(), version: 2 }), /version 2 is newer.*upgrade Benchtop/],
      [JSON.stringify({ ...base(), events: [base().events[1], base().events[0]] }), /events\.1\.t: events must be sorted/],
      [JSON.stringify({ ...base(), events: [base().events[0], { ...base().events[1], id: 'e1' }] }), /duplicate event id "e1"/],
      [JSON.stringify({ ...base(), events: [{ id: 'e1', t: -5, kind: 'key', key: 'a', down: true }] }), /events\.0\.t/],
      [JSON.stringify({ ...base(), events: [{ id: 'e1', t: 0, kind: 'key', key: 'A!', down: true }] }), /QEMU key code/],
      [JSON.stringify({ ...base(), events: [{ id: 'e1', t: 0, kind: 'mouse' }] }), /events\.0/],
    ];
    for (const [text, err] of cases) {
      const r = parseRecording(text);
      expect(r.ok, text).toBe(false);
      expect((r as { error: string }).error).toMatch(err);
    }
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ ...base(), events: v }))), (text) => {
        const r = parseRecording(text);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});
