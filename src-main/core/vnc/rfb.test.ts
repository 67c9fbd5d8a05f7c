import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '../../../test/chunking';
import { handshakeStep } from './key-client';
import { ENCODING_QEMU_EXTENDED_KEY_EVENT, RfbClientDecoder, clientVersion, qemuExtendedKeyEvent, setEncodings, type RfbServerItem } from './rfb';

/** What a server sends, encoded the way RFC 6143 (and QEMU) lays it out — the test's side. */
const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
function encodeServer(item: RfbServerItem): Buffer {
  switch (item.kind) {
    case 'version':
      return Buffer.from(`RFB ${String(item.major).padStart(3, '0')}.${String(item.minor).padStart(3, '0')}\n`, 'latin1');
    case 'security-types':
      return Buffer.from([item.types.length, ...item.types]);
    case 'security-result':
      return u32(0);
    case 'server-init': {
      const name = Buffer.from(item.name, 'utf8');
      return Buffer.concat([u16(item.width), u16(item.height), Buffer.alloc(16), u32(name.length), name]);
    }
    case 'framebuffer-update':
      return Buffer.concat([Buffer.from([0, 0]), u16(item.rects.length), ...item.rects.map((r) => Buffer.concat([u16(r.x), u16(r.y), u16(r.width), u16(r.height), i32(r.encoding)]))]);
    case 'bell':
      return Buffer.from([2]);
    case 'cut-text':
      return Buffer.concat([Buffer.from([3, 0, 0, 0]), u32(item.text.length), Buffer.from(item.text, 'latin1')]);
    default:
      throw new Error('not a server item');
  }
}

const handshake: RfbServerItem[] = [
  { kind: 'version', major: 3, minor: 8 },
  { kind: 'security-types', types: [1] },
  { kind: 'security-result', ok: true },
  { kind: 'server-init', width: 240, height: 320, name: 'QEMU (benchtop)' },
];
const u = fc.integer({ min: 0, max: 65535 });
const serverMessage: fc.Arbitrary<RfbServerItem> = fc.oneof(
  fc.record({ kind: fc.constant('framebuffer-update' as const), rects: fc.array(fc.record({ x: u, y: u, width: u, height: u, encoding: fc.constantFrom(ENCODING_QEMU_EXTENDED_KEY_EVENT, -223, -257) }), { maxLength: 4 }) }),
  fc.constant({ kind: 'bell' as const }),
  fc.record({ kind: fc.constant('cut-text' as const), text: fc.stringMatching(/^[ -~]{0,40}$/) }),
);
const decodeAll = (parts: Buffer[]) => {
  const d = new RfbClientDecoder();
  return parts.flatMap((p) => d.push(p));
};

describe('RFB client decoder', () => {
  it('reads the handshake and the server’s messages however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(serverMessage, { maxLength: 12 }), fc.array(fc.nat({ max: 200 }), { maxLength: 20 }), (msgs, cuts) => {
        const items = [...handshake, ...msgs];
        const wire = Buffer.concat(items.map(encodeServer));
        expect(decodeAll(splitAt(wire, cuts))).toEqual(items);
      }),
    );
  });

  it('never throws on arbitrary bytes, and stops at the first thing it cannot read', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat({ max: 600 }), { maxLength: 8 }), (junk, cuts) => {
        const out = decodeAll(splitAt(Buffer.concat([Buffer.concat(handshake.map(encodeServer)), Buffer.from(junk)]), cuts));
        const failed = out.findIndex((i) => i.kind === 'failed');
        if (failed >= 0) expect(failed).toBe(out.length - 1);
      }),
    );
  });

  it('names what the server refused', () => {
    expect(decodeAll([Buffer.from('HTTP/1.1 200')])).toEqual([{ kind: 'failed', reason: 'not an RFB server (greeting "HTTP/1.1 200")' }]);
    const refused = Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([0]), u32(11), Buffer.from('too many cl')]);
    expect(decodeAll([refused]).at(-1)).toEqual({ kind: 'failed', reason: 'the server refused the connection: too many cl' });
    const pixels = Buffer.concat([...handshake.map(encodeServer), Buffer.from([0, 0]), u16(1), u16(0), u16(0), u16(2), u16(2), i32(0)]);
    expect(decodeAll([pixels]).at(-1)).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/encoding 0/) });
  });
});

describe('RFB client messages', () => {
  it('lays out SetEncodings and QEMU’s extended key event as RFC 6143 and QEMU read them', () => {
    expect([...setEncodings([ENCODING_QEMU_EXTENDED_KEY_EVENT])]).toEqual([2, 0, 0, 1, 0xff, 0xff, 0xfe, 0xfe]);
    expect([...qemuExtendedKeyEvent(true, 0x1e)]).toEqual([255, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x1e]);
    expect([...qemuExtendedKeyEvent(false, 0xc8)]).toEqual([255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc8]);
  });

  it('answers each handshake step and is ready at QEMU’s acknowledgement of extended keys', () => {
    const replies = handshake.map(handshakeStep);
    expect(replies.map((r) => (Buffer.isBuffer(r) ? [...r] : r))).toEqual([[...clientVersion()], [1], [1], [...setEncodings([ENCODING_QEMU_EXTENDED_KEY_EVENT])]]);
    expect(handshakeStep({ kind: 'framebuffer-update', rects: [{ x: 0, y: 0, width: 240, height: 320, encoding: ENCODING_QEMU_EXTENDED_KEY_EVENT }] })).toBe('ready');
    expect(handshakeStep({ kind: 'security-types', types: [2] })).toBeInstanceOf(Error);
    expect(String(handshakeStep({ kind: 'version', major: 3, minor: 3 }))).toMatch(/RFB 3\.3, not 3\.8/);
  });
});
