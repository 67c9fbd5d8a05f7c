/** Parsing of the memory view's inputs and the hex dump it shows. Pure. */

export const MAX_ADDRESS = 0xffff_ffff;
export const MAX_LENGTH = 65536;
export const DEFAULT_LENGTH = 256;
export const BYTES_PER_ROW = 16;

export type Parsed = { ok: true; value: number } | { ok: false; error: string };

/** "0x" and 8 hex digits. */
export function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** "0xa0000000", "0XA000_0000" or decimal "2684354560"; anything else says what is wrong with it. */
export function parseAddress(text: string): Parsed {
  const s = text.trim().replace(/_/g, '');
  if (!s) return { ok: false, error: 'Enter an address: hex like 0xa0000000, or decimal.' };
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(s)) value = parseInt(s.slice(2), 16);
  else if (/^[0-9]+$/.test(s)) value = Number(s);
  else if (/^[0-9a-f]+$/i.test(s)) return { ok: false, error: `"${text.trim()}" has hex digits: write it as 0x${s}.` };
  else if (/^0x/i.test(s)) return { ok: false, error: `"${text.trim()}" is not a hex number: after 0x only 0-9 and a-f.` };
  else return { ok: false, error: `"${text.trim()}" is not an address: use hex like 0xa0000000, or decimal.` };
  if (value > MAX_ADDRESS) return { ok: false, error: `${s} is past the end of the 32-bit address space (0xffffffff).` };
  return { ok: true, value };
}

export function parseLength(text: string): Parsed {
  const s = text.trim();
  if (!/^[0-9]+$/.test(s) && !/^0x[0-9a-f]+$/i.test(s)) return { ok: false, error: `Length "${s}" is not a number of bytes.` };
  const value = s.toLowerCase().startsWith('0x') ? parseInt(s.slice(2), 16) : Number(s);
  if (value < 1 || value > MAX_LENGTH) return { ok: false, error: `Length must be 1 to ${MAX_LENGTH} bytes, not ${value}.` };
  return { ok: true, value };
}

export interface DumpRow {
  address: string;
  /** "de ad be ef 00 …  …" with an extra space after the eighth byte; short rows padded. */
  hex: string;
  ascii: string;
}

export function dumpRows(base: number, bytes: Uint8Array): DumpRow[] {
  const rows: DumpRow[] = [];
  for (let off = 0; off < bytes.length; off += BYTES_PER_ROW) {
    const chunk = bytes.subarray(off, off + BYTES_PER_ROW);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < BYTES_PER_ROW; i++) {
      const b = chunk[i];
      hex += (i === 8 ? '  ' : i ? ' ' : '') + (b === undefined ? '  ' : b.toString(16).padStart(2, '0'));
      if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    rows.push({ address: hex32(base + off), hex, ascii });
  }
  return rows;
}

/** The next or previous page of `length` bytes, kept inside the address space. */
export function pageAddress(address: number, length: number, dir: -1 | 1): number {
  const next = address + dir * length;
  return Math.min(Math.max(0, next), Math.max(0, MAX_ADDRESS + 1 - length));
}
