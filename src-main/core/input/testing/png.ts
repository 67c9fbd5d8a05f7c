/**
 * Test helper: decode the PNGs QEMU's screendump writes (8-bit RGB or RGBA, not interlaced)
 * to raw pixels, so a test can look at what the LCD shows. Only what those files use.
 */
import zlib from 'node:zlib';

export interface Pixels {
  width: number;
  height: number;
  /** Bytes per pixel (3 RGB, 4 RGBA). */
  bpp: number;
  data: Buffer;
}

export function decodePng(png: Buffer): Pixels {
  let off = 8;
  let width = 0;
  let height = 0;
  let bpp = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const body = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8]!;
      const color = body[9]!;
      if (depth !== 8 || (color !== 2 && color !== 6) || body[12] !== 0) throw new Error(`unsupported PNG: depth ${depth}, color type ${color}, interlace ${body[12]}`);
      bpp = color === 2 ? 3 : 4;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? data[y * stride + x - bpp]! : 0;
      const b = y > 0 ? data[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? data[(y - 1) * stride + x - bpp]! : 0;
      let v = line[x]!;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      data[y * stride + x] = v & 0xff;
    }
  }
  return { width, height, bpp, data };
}

/** How many pixels are not black (the VT's background): roughly, how much text is on screen. */
export function litPixels(p: Pixels): number {
  let n = 0;
  for (let i = 0; i < p.data.length; i += p.bpp) if (p.data[i]! + p.data[i + 1]! + p.data[i + 2]! > 96) n++;
  return n;
}
