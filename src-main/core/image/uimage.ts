/**
 * The legacy U-Boot image header (`mkimage -T kernel -C none`), which QEMU's ARM loader reads
 * to put an uncompressed kernel at its link address: QEMU loads a raw `Image` at RAM + 64 KiB,
 * where it does not run, and a `zImage` spends ~0.4 s of every boot decompressing itself in
 * emulation (docs/guest-image.md, "Boot time"). 64 bytes, big-endian:
 *
 *   0 magic 0x27051956 · 4 header CRC-32 (this field as 0) · 8 time · 12 data size ·
 *   16 load address · 20 entry point · 24 data CRC-32 · 28 OS (5 Linux) · 29 arch (2 ARM) ·
 *   30 type (2 kernel) · 31 compression (0 none) · 32 name (32 bytes, NUL-padded)
 */
import { crc32 } from '../agent/frame-codec';

const UIMAGE_MAGIC = 0x27051956;
export const UIMAGE_HEADER_BYTES = 64;
const OS_LINUX = 5;
const ARCH_ARM = 2;
const TYPE_KERNEL = 2;
const COMP_NONE = 0;

export interface UImageHeader {
  time: number;
  size: number;
  load: number;
  entry: number;
  dataCrc: number;
  os: number;
  arch: number;
  type: number;
  comp: number;
  name: string;
}

/** An uncompressed ARM Linux kernel (`arch/arm/boot/Image`) as a uImage QEMU loads at `load`. */
export function wrapUImage(image: Uint8Array, o: { load: number; entry?: number; name: string; time?: number }): Buffer {
  const h = Buffer.alloc(UIMAGE_HEADER_BYTES);
  h.writeUInt32BE(UIMAGE_MAGIC, 0);
  // A fixed time by default: the same kernel gives the same bytes (the image cache is keyed on inputs).
  h.writeUInt32BE((o.time ?? 0) >>> 0, 8);
  h.writeUInt32BE(image.length, 12);
  h.writeUInt32BE(o.load >>> 0, 16);
  h.writeUInt32BE((o.entry ?? o.load) >>> 0, 20);
  h.writeUInt32BE(crc32(image), 24);
  h.writeUInt8(OS_LINUX, 28);
  h.writeUInt8(ARCH_ARM, 29);
  h.writeUInt8(TYPE_KERNEL, 30);
  h.writeUInt8(COMP_NONE, 31);
  Buffer.from(o.name, 'latin1').copy(h, 32, 0, 31); // at most 31 bytes: always NUL-terminated
  h.writeUInt32BE(crc32(h), 4);
  return Buffer.concat([h, image]);
}

/** The header of a uImage, checked (magic, both CRCs, size); throws naming what is wrong. */
export function readUImageHeader(file: Uint8Array): UImageHeader {
  if (file.length < UIMAGE_HEADER_BYTES) throw new Error(`uImage: ${file.length} bytes, shorter than its 64-byte header`);
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (b.readUInt32BE(0) !== UIMAGE_MAGIC) throw new Error(`uImage: bad magic 0x${b.readUInt32BE(0).toString(16)}`);
  const h = Buffer.from(b.subarray(0, UIMAGE_HEADER_BYTES));
  const hcrc = h.readUInt32BE(4);
  h.writeUInt32BE(0, 4);
  if (crc32(h) !== hcrc) throw new Error('uImage: header CRC mismatch');
  const size = b.readUInt32BE(12);
  if (b.length - UIMAGE_HEADER_BYTES !== size) throw new Error(`uImage: header says ${size} data bytes, file has ${b.length - UIMAGE_HEADER_BYTES}`);
  const dataCrc = b.readUInt32BE(24);
  if (crc32(b.subarray(UIMAGE_HEADER_BYTES)) !== dataCrc) throw new Error('uImage: data CRC mismatch');
  const nameBytes = b.subarray(32, 64);
  const nul = nameBytes.indexOf(0);
  return {
    time: b.readUInt32BE(8),
    size,
    load: b.readUInt32BE(16),
    entry: b.readUInt32BE(20),
    dataCrc,
    os: b[28]!,
    arch: b[29]!,
    type: b[30]!,
    comp: b[31]!,
    name: nameBytes.subarray(0, nul < 0 ? 32 : nul).toString('latin1'),
  };
}
