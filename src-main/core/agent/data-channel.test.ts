import fc from 'fast-check';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA_HEADER_LEN, DataDirection, DataSetupError, DataStatus, decodeDataHeader, encodeDataHeader, openDataConnection, parseToken, type DataHeader } from './data-channel';

const arbHeader: fc.Arbitrary<DataHeader> = fc.record({
  direction: fc.constantFrom(DataDirection.PUT, DataDirection.GET),
  handle: fc.nat(0xffffffff),
  token: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a)),
});

describe('data channel header codec', () => {
  it('lays the header out as the spec says', () => {
    const token = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const b = encodeDataHeader({ direction: DataDirection.GET, handle: 0x01020304, token });
    expect(b.toString('hex')).toBe('42544443' + '01' + '02' + '0000' + '04030201' + '00112233445566778899aabbccddeeff');
    expect(b.length).toBe(DATA_HEADER_LEN);
  });

  it('property: decode(encode(h)) = h', () => {
    fc.assert(
      fc.property(arbHeader, (h) => {
        expect(decodeDataHeader(encodeDataHeader(h))).toEqual(h);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: any change to magic, version, direction or reserved bytes, or the length, is rejected', () => {
    fc.assert(
      fc.property(arbHeader, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 255 }), (h, at, x) => {
        const b = encodeDataHeader(h);
        b[at] = b[at]! ^ x;
        const d = decodeDataHeader(b);
        // Flipping direction 1 ↔ 2 (x = 3) yields the other valid direction; everything else is invalid.
        if (at === 5 && (b[5] === 1 || b[5] === 2)) expect(d?.direction).toBe(b[5]);
        else expect(d).toBeNull();
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(arbHeader, fc.integer({ min: 0, max: DATA_HEADER_LEN + 8 }), (h, len) => {
        if (len === DATA_HEADER_LEN) return;
        const b = Buffer.concat([encodeDataHeader(h), Buffer.alloc(8)]).subarray(0, len);
        expect(decodeDataHeader(b)).toBeNull();
      }),
    );
  });

  it('property: random bytes never throw, and decode only with the magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (a) => {
        const d = decodeDataHeader(a);
        if (d) expect(Buffer.from(a).toString('latin1', 0, 4)).toBe('BTDC');
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses to encode what does not fit', () => {
    const token = Buffer.alloc(16);
    expect(() => encodeDataHeader({ direction: DataDirection.PUT, handle: -1, token })).toThrow(RangeError);
    expect(() => encodeDataHeader({ direction: DataDirection.PUT, handle: 2 ** 32, token })).toThrow(RangeError);
    expect(() => encodeDataHeader({ direction: DataDirection.PUT, handle: 1, token: Buffer.alloc(15) })).toThrow(RangeError);
    expect(() => encodeDataHeader({ direction: 3 as DataDirection, handle: 1, token })).toThrow(RangeError);
  });

  it('parses tokens: 32 lowercase hex digits only', () => {
    expect(parseToken(Buffer.from('00112233445566778899aabbccddeeff'))?.toString('hex')).toBe('00112233445566778899aabbccddeeff');
    for (const bad of ['', '0011', '00112233445566778899AABBCCDDEEFF', '00112233445566778899aabbccddeeff00', 'g0112233445566778899aabbccddeeff']) expect(parseToken(Buffer.from(bad))).toBeNull();
    expect(parseToken(undefined)).toBeNull();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (a) => {
        expect(parseToken(Buffer.from(Buffer.from(a).toString('hex')))).toEqual(Buffer.from(a));
      }),
    );
  });
});

describe('openDataConnection (against a scripted TCP peer on 127.0.0.1)', () => {
  const servers: net.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });
  async function peer(onConn: (s: net.Socket, header: Buffer) => void): Promise<number> {
    const srv = net.createServer((s) => {
      let got = Buffer.alloc(0);
      s.on('error', () => undefined);
      s.on('data', function onData(b: Buffer) {
        got = Buffer.concat([got, b]);
        if (got.length >= DATA_HEADER_LEN) {
          s.off('data', onData);
          onConn(s, got.subarray(0, DATA_HEADER_LEN));
        }
      });
    });
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    return (srv.address() as net.AddressInfo).port;
  }
  const header: DataHeader = { direction: DataDirection.GET, handle: 7, token: Buffer.alloc(16, 0xab) };

  it('sends the header, resolves on status 0 and keeps the bytes that came with it', async () => {
    let seen: DataHeader | null = null;
    const port = await peer((s, h) => {
      seen = decodeDataHeader(h);
      s.end(Buffer.from([DataStatus.OK, 1, 2, 3]));
    });
    const sock = await openDataConnection({ host: '127.0.0.1', port }, header);
    const chunks: Buffer[] = [];
    sock.on('data', (b: Buffer) => chunks.push(b));
    sock.resume();
    await new Promise((r) => sock.once('end', r));
    expect(seen).toEqual(header);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('rejects with DataSetupError on a refusal, a close without status (QEMU forward, nobody listening), and silence', async () => {
    const refused = await peer((s) => s.end(Buffer.from([DataStatus.REFUSED])));
    await expect(openDataConnection({ host: '127.0.0.1', port: refused }, header)).rejects.toThrow(/wrong token/);
    const closes = await peer((s) => s.end());
    await expect(openDataConnection({ host: '127.0.0.1', port: closes }, header)).rejects.toBeInstanceOf(DataSetupError);
    const silent = await peer(() => undefined);
    await expect(openDataConnection({ host: '127.0.0.1', port: silent }, header, { timeoutMs: 200 })).rejects.toThrow(/no answer within 200 ms/);
  });
});
