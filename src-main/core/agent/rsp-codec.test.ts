import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitAt } from '../../../test/chunking';
import { checksum, encodePacket, escapeBinary, isStopReply, parseStopReply, rleDecode, rleEncode, RspDecoder, unescapeBinary, type RspItem } from './rsp-codec';

const decodeAll = (parts: Buffer[], d = new RspDecoder()): RspItem[] => parts.flatMap((p) => d.push(p));
const packets = (items: RspItem[]) => items.filter((i): i is Extract<RspItem, { kind: 'packet' }> => i.kind === 'packet');

describe('RSP codec', () => {
  it('encodes with the mod-256 checksum', () => {
    expect(encodePacket('g').toString()).toBe('$g#67');
    expect(encodePacket('OK').toString()).toBe('$OK#9a');
    expect(encodePacket('qSupported').toString()).toBe('$qSupported#37');
    expect(checksum(Buffer.from('m0,4'))).toBe((0x6d + 0x30 + 0x2c + 0x34) & 0xff);
  });

  it('escapes the four special bytes and round-trips binary data', () => {
    expect(escapeBinary(Buffer.from('a$b#c}d*e')).toString('latin1')).toBe('a}\x04b}\x03c}]d}\x0ae');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (u) => {
        const esc = escapeBinary(u);
        for (const c of esc) expect([0x24, 0x23, 0x2a]).not.toContain(c);
        expect(unescapeBinary(esc).equals(Buffer.from(u))).toBe(true);
      }),
    );
  });

  it('round-trips packets (binary, run-length encoded or not) however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.boolean()), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (pkts, cuts) => {
          const wire = Buffer.concat(pkts.map(([p, rle]) => encodePacket(p, { rle })));
          const out = packets(decodeAll(splitAt(wire, cuts)));
          expect(out).toHaveLength(pkts.length);
          out.forEach((o, i) => {
            expect(o.checksumOk).toBe(true);
            expect(unescapeBinary(o.data).equals(Buffer.from(pkts[i]![0]))).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('run-length encoding: expands what gdbserver sends, never emits # or $ as a count', () => {
    expect(rleDecode(Buffer.from('0* ')).toString()).toBe('0000');
    expect(rleDecode(Buffer.from('x*"y')).toString()).toBe('xxxxxxy');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...'0123456789abcdefxyz'), fc.integer({ min: 1, max: 200 })), { maxLength: 10 }), (runs) => {
        const text = Buffer.from(runs.map(([c, n]) => c.repeat(n)).join(''));
        const enc = rleEncode(text);
        for (let i = 0; i < enc.length; i++) if (enc[i] === 0x2a) expect([0x23, 0x24]).not.toContain(enc[i + 1]);
        expect(rleDecode(enc).equals(text)).toBe(true);
      }),
    );
  });

  it('acks, nacks, interrupts and notifications between packets', () => {
    const out = decodeAll([Buffer.from('+$OK#9a-\x03%Stop:T05#xx+')]);
    expect(out.map((o) => o.kind)).toEqual(['ack', 'packet', 'nack', 'interrupt', 'notification', 'ack']);
    expect(out[4]).toMatchObject({ kind: 'notification', checksumOk: false });
  });

  it('reports a bad checksum (so an ack-mode peer can nack) and carries on', () => {
    const out = packets(decodeAll([Buffer.from('$OK#00$OK#9a')]));
    expect(out.map((o) => o.checksumOk)).toEqual([false, true]);
  });

  it('drops a packet cut short by a new $ and decodes the next', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.uint8Array({ maxLength: 100 }), (a, cut, b) => {
        const ea = encodePacket(a);
        const n = 1 + (cut % Math.max(1, ea.length - 3)); // cut before the '#'
        const out = packets(decodeAll([Buffer.concat([ea.subarray(0, n), encodePacket(b)])]));
        expect(out.length).toBe(1);
        expect(unescapeBinary(out[0]!.data).equals(Buffer.from(b))).toBe(true);
      }),
    );
  });

  it('never throws on arbitrary bytes and finds a packet after them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (junk) => {
        const d = new RspDecoder();
        d.push(junk);
        // Whatever state the junk left, '#' + 2 chars closes an open packet; then a real one.
        const out = packets(d.push(Buffer.from('#00$S05#b8')));
        expect(out[out.length - 1]).toMatchObject({ checksumOk: true });
        expect(out[out.length - 1]!.data.toString()).toBe('S05');
      }),
    );
  });

  it('parses stop replies', () => {
    const t = parseStopReply('T05thread:p2a.2a;0f:00800100;0d:f0fdffbe;swbreak:;');
    expect(t.kind).toBe('stopped');
    if (t.kind !== 'stopped') return;
    expect(t.signal).toBe(5);
    expect(t.thread).toBe('p2a.2a');
    expect(t.reason).toBe('swbreak');
    expect(t.registers.get(15)!.readUInt32LE(0)).toBe(0x00018000);
    expect(parseStopReply('S02')).toMatchObject({ kind: 'stopped', signal: 2 });
    expect(parseStopReply('W00;process:2a')).toMatchObject({ kind: 'exited', code: 0 });
    expect(parseStopReply('X09')).toMatchObject({ kind: 'terminated', signal: 9 });
    expect(parseStopReply('OK')).toMatchObject({ kind: 'other' });
    expect(isStopReply('T05')).toBe(true);
    expect(isStopReply('OK')).toBe(false);
    expect(isStopReply('E01')).toBe(false);
    expect(isStopReply('00112233')).toBe(false);
  });

  it('parseStopReply never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 100 }), (s) => void parseStopReply(s)));
  });
});
