import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseNewc, sortEntries, writeNewc, type CpioEntry } from './cpio';
import { which } from './tools';

const entries: CpioEntry[] = [
  { path: '/init', type: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\n') },
  { path: 'dev/console', type: 'char', mode: 0o600, major: 5, minor: 1 },
  { path: 'lib/ld-linux.so.3', type: 'symlink', target: 'arm-linux-gnueabi/ld-linux.so.3' },
  { path: 'lib/arm-linux-gnueabi/ld-linux.so.3', type: 'file', mode: 0o755, data: Buffer.alloc(1001, 7) },
  { path: 'tmp', type: 'dir', mode: 0o1777 },
];

describe('cpio newc writer', () => {
  it('adds missing parent directories and orders parents first', () => {
    const paths = sortEntries(entries).map((e) => e.path);
    expect(paths).toEqual(['dev', 'dev/console', 'init', 'lib', 'lib/arm-linux-gnueabi', 'lib/arm-linux-gnueabi/ld-linux.so.3', 'lib/ld-linux.so.3', 'tmp']);
    expect(() => sortEntries([{ path: 'a/../b', type: 'dir', mode: 0o755 }])).toThrow();
  });

  it('round-trips files, symlinks, device nodes and modes, all owned by root', () => {
    const buf = writeNewc(sortEntries(entries));
    expect(buf.length % 4).toBe(0);
    const back = new Map(parseNewc(buf).map((e) => [e.path, e]));
    expect(back.get('init')!.mode).toBe(0o100755);
    expect(back.get('init')!.data.toString()).toBe('#!/bin/sh\n');
    expect(back.get('dev/console')).toMatchObject({ mode: 0o020600, rdevMajor: 5, rdevMinor: 1 });
    expect(back.get('lib/ld-linux.so.3')).toMatchObject({ mode: 0o120777 });
    expect(back.get('lib/ld-linux.so.3')!.data.toString()).toBe('arm-linux-gnueabi/ld-linux.so.3');
    expect(back.get('lib/arm-linux-gnueabi/ld-linux.so.3')!.data.equals(Buffer.alloc(1001, 7))).toBe(true);
    expect(back.get('tmp')!.mode).toBe(0o041777);
    expect([...back.values()].every((e) => e.uid === 0 && e.gid === 0)).toBe(true);
    expect(writeNewc(sortEntries(entries)).equals(buf)).toBe(true); // deterministic
  });

  it.skipIf(!which('cpio'))('is readable by GNU cpio', () => {
    const r = spawnSync('cpio', ['-t', '-v', '--quiet'], { input: writeNewc(sortEntries(entries)), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^crw------- .* 5,\s+1 .*dev\/console$/m);
    expect(r.stdout).toMatch(/lib\/ld-linux\.so\.3 -> arm-linux-gnueabi\/ld-linux\.so\.3/);
  });
});
