/**
 * The SD card image: a power-of-two sized file (QEMU's SD model insists), an MBR with one
 * Linux partition at sector 2048 (like a real card; the guest sees /dev/mmcblk0p1), and an
 * ext4 file system made in place with `mkfs.ext4 -E offset=… -d dir` — no root, no loop
 * device, no partitioning tool.
 */
import fs from 'node:fs/promises';
import { run } from './run';

export const SECTOR = 512;
export const PARTITION_START_SECTOR = 2048;

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** A classic MBR (512 bytes) with one primary partition from `startSector` to the end. */
export function makeMbr(diskBytes: number, opts: { startSector?: number; type?: number; diskId?: number } = {}): Buffer {
  const start = opts.startSector ?? PARTITION_START_SECTOR;
  const total = Math.floor(diskBytes / SECTOR);
  if (total <= start) throw new Error(`disk of ${diskBytes} bytes is too small for a partition at sector ${start}`);
  const mbr = Buffer.alloc(SECTOR);
  mbr.writeUInt32LE((opts.diskId ?? 0x42544f50) >>> 0, 440); // "BTOP"
  const e = 446;
  mbr[e] = 0x00; // not bootable
  // CHS fields unused (LBA only): the conventional "beyond 1024 cylinders" filler.
  mbr[e + 1] = 0xfe;
  mbr[e + 2] = 0xff;
  mbr[e + 3] = 0xff;
  mbr[e + 4] = opts.type ?? 0x83; // Linux
  mbr[e + 5] = 0xfe;
  mbr[e + 6] = 0xff;
  mbr[e + 7] = 0xff;
  mbr.writeUInt32LE(start, e + 8);
  mbr.writeUInt32LE(total - start, e + 12);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return mbr;
}

export interface SdImageOptions {
  file: string;
  sizeMiB: number;
  /** Directory copied into the file system's root (mkfs.ext4 -d). */
  contentDir: string;
  label?: string;
  uuid?: string;
  signal?: AbortSignal;
}

export async function makeSdImage(o: SdImageOptions): Promise<void> {
  if (!isPowerOfTwo(o.sizeMiB)) throw new Error(`SD image size ${o.sizeMiB} MiB is not a power of two (QEMU's SD model needs one)`);
  const bytes = o.sizeMiB * 1024 * 1024;
  const offset = PARTITION_START_SECTOR * SECTOR;
  const fh = await fs.open(o.file, 'w');
  try {
    await fh.truncate(bytes);
    await fh.write(makeMbr(bytes), 0, SECTOR, 0);
  } finally {
    await fh.close();
  }
  const fsKiB = (bytes - offset) / 1024;
  const args = [
    '-F',
    '-q',
    '-t',
    'ext4',
    '-b',
    '4096', // 4 KiB blocks even on a small card: sector = block × 8 + partition start
    '-E',
    // Initialise inode tables and journal now, so the guest has no ext4lazyinit I/O in
    // the background of a measurement.
    `offset=${offset},root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0`,
    '-L',
    o.label ?? 'benchtop-sd',
    ...(o.uuid ? ['-U', o.uuid] : []),
    '-d',
    o.contentDir,
    o.file,
    `${fsKiB}k`,
  ];
  await run('mkfs.ext4', args, { signal: o.signal });
  const st = await fs.stat(o.file);
  if (st.size !== bytes) throw new Error(`mkfs.ext4 changed the SD image size to ${st.size} bytes (wanted ${bytes})`);
}
