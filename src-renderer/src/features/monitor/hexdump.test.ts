import { describe, expect, it } from 'vitest';
import { dumpRows, hex32, pageAddress, parseAddress, parseLength } from './hexdump';

describe('memory view inputs', () => {
  it('reads hex and decimal addresses', () => {
    expect(parseAddress('0xa0000000')).toEqual({ ok: true, value: 0xa0000000 });
    expect(parseAddress(' 0XA000_0000 ')).toEqual({ ok: true, value: 0xa0000000 });
    expect(parseAddress('4096')).toEqual({ ok: true, value: 4096 });
  });
  it('names what is wrong with a bad address', () => {
    const err = (s: string) => {
      const r = parseAddress(s);
      return r.ok ? null : r.error;
    };
    expect(err('')).toMatch(/Enter an address/);
    expect(err('a0000000')).toMatch(/write it as 0xa0000000/);
    expect(err('0xzz')).toMatch(/not a hex number/);
    expect(err('ram')).toMatch(/not an address/);
    expect(err('0x100000000')).toMatch(/past the end of the 32-bit address space/);
  });
  it('checks the length', () => {
    expect(parseLength('256')).toEqual({ ok: true, value: 256 });
    expect(parseLength('0x100')).toEqual({ ok: true, value: 256 });
    expect(parseLength('0')).toMatchObject({ ok: false });
    expect(parseLength('70000')).toMatchObject({ ok: false, error: expect.stringMatching(/1 to 65536/) });
    expect(parseLength('lots')).toMatchObject({ ok: false });
  });
  it('pages without leaving the address space', () => {
    expect(pageAddress(0x100, 256, 1)).toBe(0x200);
    expect(pageAddress(0x80, 256, -1)).toBe(0);
    expect(pageAddress(0xffffff00, 256, 1)).toBe(0xffffff00);
  });
});

describe('hex dump', () => {
  it('16 bytes a row: address, hex with a gap after 8, ASCII with dots', () => {
    const bytes = new Uint8Array([...Array.from('Hello, world!\n', (c) => c.charCodeAt(0)), 0, 0xff, 0x41]);
    const rows = dumpRows(0xa0000000, bytes);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      address: '0xa0000000',
      hex: '48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 ff',
      ascii: 'Hello, world!...',
    });
    expect(rows[1]!.address).toBe('0xa0000010');
    expect(rows[1]!.hex.startsWith('41 ')).toBe(true);
    expect(rows[1]!.hex).toHaveLength(rows[0]!.hex.length);
    expect(rows[1]!.ascii).toBe('A');
    expect(hex32(255)).toBe('0x000000ff');
  });
});
