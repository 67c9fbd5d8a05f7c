import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPowerOfTwo, makeMbr, makeSdImage, PARTITION_START_SECTOR } from './sd';
import { which } from './tools';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'benchtop-sd-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('SD card image', () => {
  it('power of two check', () => {
    expect([1, 2, 64, 4096].every(isPowerOfTwo)).toBe(true);
    expect([0, 3, 48, 100, 1.5, -4].some(isPowerOfTwo)).toBe(false);
  });

  it('MBR has one Linux partition from sector 2048 to the end', () => {
    const mbr = makeMbr(64 * 1024 * 1024);
    expect(mbr.length).toBe(512);
    expect(mbr.readUInt16LE(510)).toBe(0xaa55);
    expect(mbr[446 + 4]).toBe(0x83);
    expect(mbr.readUInt32LE(446 + 8)).toBe(2048);
    expect(mbr.readUInt32LE(446 + 12)).toBe(131072 - 2048);
    expect(mbr.subarray(462, 510).every((b) => b === 0)).toBe(true); // no other partitions
    expect(() => makeMbr(512 * 100)).toThrow();
  });

  it('refuses a size that is not a power of two', async () => {
    await expect(makeSdImage({ file: path.join(tmp, 'x.img'), sizeMiB: 48, contentDir: tmp })).rejects.toThrow(/power of two/);
  });

  it.skipIf(!which('mkfs.ext4') || !which('debugfs') || !which('e2fsck'))('makes a clean ext4 with the content, no root needed', async () => {
    const content = path.join(tmp, 'content');
    fs.mkdirSync(path.join(content, 'data'), { recursive: true });
    fs.writeFileSync(path.join(content, 'README'), 'hello card\n');
    const img = path.join(tmp, 'sd.img');
    await makeSdImage({ file: img, sizeMiB: 16, contentDir: content, uuid: '0123abcd-0000-4000-8000-000000000001' });
    expect(fs.statSync(img).size).toBe(16 * 1024 * 1024);
    const part = `${img}?offset=${PARTITION_START_SECTOR * 512}`;
    const fsck = spawnSync('e2fsck', ['-fn', part], { encoding: 'utf8' });
    expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
    const ls = spawnSync('debugfs', ['-R', 'ls -p /', part], { encoding: 'utf8' });
    expect(ls.stdout).toMatch(/\/README\/11\//);
    expect(ls.stdout).toMatch(/\/040755\/0\/0\/data\/\//);
    const cat = spawnSync('debugfs', ['-R', 'cat /README', part], { encoding: 'utf8' });
    expect(cat.stdout).toBe('hello card\n');
    const stats = spawnSync('dumpe2fs', ['-h', part], { encoding: 'utf8' });
    expect(stats.stdout).toMatch(/Block size:\s+4096/);
    expect(stats.stdout).toMatch(/Filesystem UUID:\s+0123abcd-0000-4000-8000-000000000001/);
  });
});
