import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Length, base64ToBytes, bytesToBase64 } from './base64';

describe('base64', () => {
  it('round-trips and matches Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (u) => {
        const b = bytesToBase64(u);
        expect(b).toBe(Buffer.from(u).toString('base64'));
        expect(b.length).toBe(base64Length(u.length));
        expect(Array.from(base64ToBytes(b))).toEqual(Array.from(u));
      }),
    );
  });

  it('handles content larger than one chunk', () => {
    const u = new Uint8Array(100_000).map((_, i) => i * 7);
    expect(bytesToBase64(u)).toBe(Buffer.from(u).toString('base64'));
  });
});
