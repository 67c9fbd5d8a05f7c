import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mainstone, type BoardProfile } from '../boards/profiles';
import { findRepoRoot } from '../util/repo-root';
import { imageInputFiles, imageKey, stableStringify } from './key';

const V = { kernelSourceVersion: '6.1.192-2' };

function testBoard(over: Partial<BoardProfile['image']> = {}): BoardProfile {
  return {
    ...mainstone,
    id: 'testboard',
    image: {
      ...mainstone.image,
      configFragment: 'resources/guest/testboard/kernel.config',
      patchesDir: 'resources/guest/testboard/patches',
      ...over,
    },
  };
}

describe('imageKey', () => {
  let root: string;
  const write = (rel: string, text: string, mode = 0o644) => {
    const p = path.join(root, 'resources/guest/testboard', rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    fs.chmodSync(p, mode);
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'benchtop-key-'));
    write('kernel.config', 'CONFIG_AEABI=y\n');
    write('patches/0001-a.patch', '--- a/x\n+++ b/x\n');
    write('init', '#!/bin/sh\necho hi\n', 0o755);
    write('armel-packages.txt', 'busybox-static\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is stable when nothing changes (and ignores mtimes)', () => {
    const k1 = imageKey(testBoard(), root, V);
    const p = path.join(root, 'resources/guest/testboard/init');
    fs.utimesSync(p, new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(imageKey(testBoard(), root, V)).toBe(k1);
    expect(k1).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes when any input file changes, appears or loses its exec bit', () => {
    const k0 = imageKey(testBoard(), root, V);
    const seen = new Set([k0]);
    write('kernel.config', 'CONFIG_AEABI=y\nCONFIG_EXT4_FS=y\n');
    seen.add(imageKey(testBoard(), root, V));
    write('patches/0001-a.patch', '--- a/x\n+++ b/x\n@@\n');
    seen.add(imageKey(testBoard(), root, V));
    write('patches/0002-b.patch', 'new\n');
    seen.add(imageKey(testBoard(), root, V));
    write('init', '#!/bin/sh\necho hi\n', 0o644);
    seen.add(imageKey(testBoard(), root, V));
    write('rootfs/etc/motd', 'hello\n');
    seen.add(imageKey(testBoard(), root, V));
    expect(seen.size).toBe(6);
  });

  it('changes with the recipe, the kernel source version and the board, not with key order', () => {
    const k0 = imageKey(testBoard(), root, V);
    expect(imageKey(testBoard({ sdSizeMiB: 128 }), root, V)).not.toBe(k0);
    expect(imageKey(testBoard(), root, { kernelSourceVersion: '6.1.193-1' })).not.toBe(k0);
    expect(imageKey({ ...testBoard(), id: 'other' }, root, V)).not.toBe(k0);
    const reordered = Object.fromEntries(Object.entries(testBoard().image).reverse()) as BoardProfile['image'];
    expect(imageKey({ ...testBoard(), image: reordered }, root, V)).toBe(k0);
    // Things outside the image recipe (QEMU arguments) do not rebuild the image.
    expect(imageKey({ ...testBoard(), kernelCmdline: 'console=ttyS0 quiet' }, root, V)).toBe(k0);
  });

  it('covers every file of the real mainstone board', () => {
    const repoRoot = findRepoRoot();
    const files = imageInputFiles(mainstone, repoRoot).map((f) => path.relative(repoRoot, f));
    expect(files).toEqual(
      expect.arrayContaining([
        'resources/guest/mainstone/kernel.config',
        'resources/guest/mainstone/init',
        'resources/guest/mainstone/armel-packages.txt',
      ]),
    );
    expect(files.filter((f) => f.endsWith('.patch')).length).toBeGreaterThanOrEqual(2);
    expect(imageKey(mainstone, repoRoot, V)).toBe(imageKey(mainstone, repoRoot, V));
  });

  it('stableStringify sorts keys and drops undefined', () => {
    expect(stableStringify({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });
});
