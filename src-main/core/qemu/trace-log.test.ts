import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTraceLine, parseKeyTrace, parseTraceLine, realtimeMinusPerfMs, TraceLogTail, type TraceLine } from './trace-log';

const traceLine = fc.record({
  tid: fc.integer({ min: 1, max: 4_194_304 }),
  realtimeUs: fc.integer({ min: 0, max: 4_102_444_800_000_000 }),
  event: fc.stringMatching(/^[a-z][a-z0-9_]{0,40}$/),
  args: fc.stringMatching(/^[ -~]{0,80}$/).map((s) => s.trim()),
}) satisfies fc.Arbitrary<TraceLine>;

describe('QEMU trace log lines', () => {
  it('parses what QEMU 7.2 writes', () => {
    const t = parseTraceLine('20057@1795397643.506995:input_event_key_qcode con -1, key qcode a, down 1');
    expect(t).toEqual({ tid: 20057, realtimeUs: 1795397643506995, event: 'input_event_key_qcode', args: 'con -1, key qcode a, down 1' });
    expect(parseKeyTrace(t!)).toEqual({ qcode: 'a', down: true });
    expect(parseKeyTrace(parseTraceLine('20057@1795397643.507059:input_event_sync ')!)).toBeNull();
    expect(parseKeyTrace(parseTraceLine('1@1.000001:input_event_key_qcode con 0, key qcode shift_r, down 0')!)).toEqual({ qcode: 'shift_r', down: false });
  });

  it('round-trips any trace line', () => {
    fc.assert(
      fc.property(traceLine, (t) => {
        expect(parseTraceLine(formatTraceLine(t))).toEqual(t);
      }),
    );
  });

  it('never throws on other text, and takes none of QEMU’s messages for a trace line', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => void parseTraceLine(s)));
    expect(parseTraceLine('2026-11-23T01:33:59.339905Z qemu-system-arm: terminating on signal 15')).toBeNull();
    expect(parseTraceLine('20057@1795397643.5069:input_event_sync')).toBeNull(); // torn microseconds
  });

  it('reads appended lines however the writes are split, holding back an unfinished line', () => {
    fc.assert(
      fc.property(fc.array(traceLine, { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 40 }), (lines, cuts) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-tail-'));
        const file = path.join(dir, 'qemu.log');
        try {
          fs.writeFileSync(file, 'old line before the tail opened\n');
          const tail = new TraceLogTail(file);
          const text = lines.map((l) => `${formatTraceLine(l)}\n`).join('') + 'qemu-system-arm: a message\n';
          const got: TraceLine[] = [];
          let at = 0;
          for (const c of cuts) {
            if (at >= text.length) break;
            fs.appendFileSync(file, text.slice(at, at + c));
            at += c;
            got.push(...tail.read());
          }
          fs.appendFileSync(file, text.slice(at));
          got.push(...tail.read());
          tail.close();
          expect(got).toEqual(lines);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('relates the wall clock to the performance clock within a millisecond', () => {
    const off = realtimeMinusPerfMs();
    expect(Math.abs(Date.now() - (performance.timeOrigin + performance.now() + off))).toBeLessThanOrEqual(1);
  });
});
