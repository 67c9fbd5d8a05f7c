import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitAt } from '../../../test/chunking';
import { crc32, decodeFields, encodeFields, encodeFrame, FrameDecoder, FrameType, MAX_FRAME, MAX_PAYLOAD, type Frame } from './frame-codec';

const TYPES = Object.values(FrameType);

const frameArb: fc.Arbitrary<Frame> = fc.record({
  type: fc.constantFrom(...TYPES),
  channel: fc.integer({ min: 0, max: 0xffff }),
  requestId: fc.nat({ max: 0xffffffff }),
  seq: fc.nat({ max: 0xffffffff }),
  ack: fc.nat({ max: 0xffffffff }),
  payload: fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: MAX_PAYLOAD }) },
    // Payloads that contain frame-looking bytes.
    { weight: 1, arbitrary: fc.constant(new Uint8Array([0x42, 0x54, 1, 0x11, 0, 0, 0, 0])) },
  ).map((u) => Buffer.from(u)),
});

function decodeAll(parts: Buffer[], d = new FrameDecoder()): Frame[] {
  return parts.flatMap((p) => d.push(p).frames);
}

const same = (a: Frame, b: Frame) =>
  a.type === b.type && a.channel === b.channel && a.requestId === b.requestId && a.seq === b.seq && a.ack === b.ack && a.payload.equals(b.payload);

/** Garbage that cannot contain a valid frame by accident (no 'B' byte). */
const junkArb = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u.map((x) => (x === 0x42 ? 0x41 : x))));
/** Garbage that is mostly magic bytes and frame-like headers. */
const nastyJunkArb = fc
  .array(fc.oneof(fc.constant(Buffer.from([0x42, 0x54])), fc.constant(Buffer.from([0x42, 0x54, 1, 0x11, 0xff, 0xff, 0x10, 0])), fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u))), { maxLength: 20 })
  .map((xs) => Buffer.concat(xs));

describe('crc32', () => {
  it('is the IEEE CRC-32 (check value, and as zlib computes it)', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    const z = zlibCrc32 as ((b: Uint8Array, v?: number) => number) | undefined;
    if (typeof z === 'function') {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2000 }), (u) => {
          expect(crc32(u)).toBe(z(u));
        }),
      );
    }
  });

  it('continues over pieces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.nat(), (u, cut) => {
        const c = cut % (u.length + 1);
        expect(crc32(u.subarray(c), crc32(u.subarray(0, c)))).toBe(crc32(u));
      }),
    );
  });
});

describe('FrameDecoder', () => {
  it('round-trips frames, however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (frames, cuts) => {
        const wire = Buffer.concat(frames.map((f) => encodeFrame(f)));
        const out = decodeAll(splitAt(wire, cuts));
        expect(out.length).toBe(frames.length);
        out.forEach((f, i) => expect(same(f, frames[i]!)).toBe(true));
      }),
      { numRuns: 200 },
    );
  });

  it('finds every frame again with random garbage between frames', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(junkArb, frameArb), { maxLength: 10 }), junkArb, fc.array(fc.nat(), { maxLength: 20 }), (pairs, tail, cuts) => {
        const wire = Buffer.concat([...pairs.flatMap(([j, f]) => [j, encodeFrame(f)]), tail]);
        const d = new FrameDecoder();
        const out = decodeAll(splitAt(wire, cuts), d);
        expect(out.length).toBe(pairs.length);
        out.forEach((f, i) => expect(same(f, pairs[i]![1])).toBe(true));
        expect(d.bytesSkipped).toBe(pairs.reduce((n, [j]) => n + j.length, 0) + tail.length - d.buffered);
      }),
      { numRuns: 200 },
    );
  });

  it('resyncs after frame-like garbage (magic bytes, plausible headers)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(nastyJunkArb, frameArb), { maxLength: 6 }), (pairs) => {
        // Each bad candidate waits for at most MAX_FRAME bytes; pad so every one is decided.
        const wire = Buffer.concat([...pairs.flatMap(([j, f]) => [j, encodeFrame(f)]), Buffer.alloc(MAX_FRAME, 0)]);
        const out = decodeAll([wire]);
        // Every real frame is found; junk never yields a frame that passes the CRC by accident
        // (2^-32), so the decoded list is exactly the sent list.
        expect(out.length).toBe(pairs.length);
        out.forEach((f, i) => expect(same(f, pairs[i]![1])).toBe(true));
      }),
      { numRuns: 100 },
    );
  });

  it('drops a truncated frame and decodes the next one', () => {
    fc.assert(
      fc.property(frameArb, frameArb, fc.nat(), (a, b, cutAt) => {
        const ea = encodeFrame(a);
        const cut = 1 + (cutAt % (ea.length - 1)); // keep 1 … len-1 bytes
        const eb = encodeFrame(b);
        // If b starts with exactly the bytes that were cut off (e.g. a's last CRC byte is 'B', b's
        // first), the wire really holds a complete `a`: decoding it is right, and b is then cut.
        fc.pre(!Buffer.from(eb.subarray(0, ea.length - cut)).equals(Buffer.from(ea.subarray(cut))));
        const wire = Buffer.concat([ea.subarray(0, cut), eb, Buffer.alloc(MAX_FRAME, 0)]);
        const out = decodeAll([wire]);
        expect(out.length).toBeGreaterThanOrEqual(1);
        expect(same(out[out.length - 1]!, b)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a frame with a corrupted byte (CRC or header) and resyncs to the next', () => {
    fc.assert(
      fc.property(frameArb, frameArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (a, b, at, flip) => {
        const ea = Buffer.from(encodeFrame(a));
        const i = at % ea.length;
        ea[i] = ea[i]! ^ flip;
        const out = decodeAll([ea, encodeFrame(b), Buffer.alloc(MAX_FRAME, 0)]);
        expect(out.some((f) => same(f, a))).toBe(false);
        expect(out.length).toBe(1);
        expect(same(out[0]!, b)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws and never buffers more than one frame on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 10 }), (chunks) => {
        const d = new FrameDecoder();
        for (const c of chunks) {
          d.push(c);
          expect(d.buffered).toBeLessThan(MAX_FRAME);
        }
      }),
    );
  });

  it('abandonCandidate releases frames stuck behind a corrupted length field', () => {
    const bad = Buffer.from(encodeFrame({ type: FrameType.RESP, payload: Buffer.from('x') }));
    bad.writeUInt16LE(4000, 6); // claims 4000 bytes: the decoder would wait for them
    const good = encodeFrame({ type: FrameType.ACK, ack: 7 });
    const d = new FrameDecoder();
    expect(d.push(Buffer.concat([bad, good])).frames).toEqual([]);
    expect(d.hasPartialCandidate).toBe(true);
    const r = d.abandonCandidate();
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0]).toMatchObject({ type: FrameType.ACK, ack: 7 });
    expect(d.hasPartialCandidate).toBe(false);
  });

  it('refuses to encode an over-long payload', () => {
    expect(() => encodeFrame({ type: FrameType.REQ, payload: Buffer.alloc(MAX_PAYLOAD + 1) })).toThrow(RangeError);
  });
});

describe('fields', () => {
  it('round-trip', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 10 }), (fs) => {
        const out = decodeFields(encodeFields(fs));
        expect(out?.map((b) => [...b])).toEqual(fs.map((u) => [...u]));
      }),
    );
    expect(encodeFields(['a', 12, Buffer.from([0])]).toString('hex')).toBe('0100000061' + '020000003132' + '0100000000');
  });

  it('say null (never throw) for malformed bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), (u) => {
        const out = decodeFields(u);
        if (out) expect(encodeFields(out).equals(Buffer.from(u))).toBe(true);
      }),
    );
    expect(decodeFields(Buffer.from([5, 0, 0, 0, 1]))).toBeNull();
    expect(decodeFields(Buffer.from([5, 0]))).toBeNull();
  });
});
