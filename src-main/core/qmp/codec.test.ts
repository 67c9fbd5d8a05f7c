import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitAt } from '../../../test/chunking';
import { QmpDecoder, encodeCommand, type QmpDecoded } from './codec';

const messageArb = fc.oneof(
  fc.record({ return: fc.jsonValue(), id: fc.oneof(fc.integer(), fc.string()) }),
  fc.record({ event: fc.string({ minLength: 1 }), data: fc.dictionary(fc.string(), fc.jsonValue()), timestamp: fc.record({ seconds: fc.nat(), microseconds: fc.nat({ max: 999999 }) }) }),
  fc.record({ error: fc.record({ class: fc.string(), desc: fc.string() }), id: fc.integer() }),
);

function decodeAll(decoder: QmpDecoder, parts: Buffer[]): QmpDecoded[] {
  return parts.flatMap((p) => decoder.push(p));
}

describe('QmpDecoder', () => {
  it('decodes the same messages however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (msgs, cuts) => {
        const wire = Buffer.from(msgs.map((m) => JSON.stringify(m) + '\r\n').join(''), 'utf8');
        const whole = decodeAll(new QmpDecoder(), [wire]);
        const chunked = decodeAll(new QmpDecoder(), splitAt(wire, cuts));
        expect(chunked).toEqual(whole);
        expect(whole.filter((d) => d.kind !== 'garbage')).toHaveLength(msgs.length);
      }),
    );
  });

  it('never throws on arbitrary bytes and recovers at the next line', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), messageArb, (junk, msg) => {
        const d = new QmpDecoder();
        const out = [...d.push(junk), ...d.push(Buffer.from('\n' + JSON.stringify(msg) + '\n'))];
        const last = out[out.length - 1];
        expect(last?.kind).not.toBe('garbage');
      }),
    );
  });

  it('drops an over-long line with a garbage report and keeps decoding, without buffering it all', () => {
    const d = new QmpDecoder(1024);
    const out: QmpDecoded[] = [];
    for (let i = 0; i < 100; i++) out.push(...d.push(Buffer.alloc(1000, 0x41)));
    out.push(...d.push(Buffer.from('\n{"return":{},"id":7}\n')));
    expect(out[0]).toMatchObject({ kind: 'garbage' });
    expect(out.filter((o) => o.kind === 'garbage')).toHaveLength(1);
    expect(out[out.length - 1]).toEqual({ kind: 'return', id: 7, value: {} });
  });

  it('classifies greeting, error and event', () => {
    const d = new QmpDecoder();
    const out = d.push(
      Buffer.from(
        '{"QMP": {"version": {"qemu": {"major": 7}}, "capabilities": ["oob"]}}\n' +
          '{"error": {"class": "CommandNotFound", "desc": "The command foo has not been found"}, "id": 3}\n' +
          '{"timestamp": {"seconds": 10, "microseconds": 5}, "event": "STOP"}\n' +
          '[1,2]\n',
      ),
    );
    expect(out.map((o) => o.kind)).toEqual(['greeting', 'error', 'event', 'garbage']);
    expect(out[1]).toMatchObject({ errorClass: 'CommandNotFound', id: 3 });
    expect(out[2]).toMatchObject({ event: 'STOP', timestampUs: 10_000_005 });
  });

  it('round-trips encoded commands as JSON lines', () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string(), fc.jsonValue()), fc.integer(), (execute, args, id) => {
        const line = encodeCommand(execute, args, id).toString('utf8');
        expect(line.endsWith('\n')).toBe(true);
        expect(line.indexOf('\n')).toBe(line.length - 1);
        // Compared with JSON's own round trip: JSON has no -0, so {"":-0} comes back as 0.
        expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify({ execute, arguments: args, id })));
      }),
    );
  });
});
