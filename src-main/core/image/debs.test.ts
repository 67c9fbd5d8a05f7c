import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '../util/repo-root';
import { parsePackageList, parsePrintUris, parseReadelf } from './debs';

describe('armel packages', () => {
  it('parses the package list (comments, blanks, duplicates)', () => {
    expect(parsePackageList('# c\nbusybox-static\n\n libstdc++6  # gdbserver\nncurses-base:all /lib/terminfo/v/vt100 lib/terminfo/x/\n')).toEqual([
      { name: 'busybox-static', arch: undefined, paths: [] },
      { name: 'libstdc++6', arch: undefined, paths: [] },
      { name: 'ncurses-base', arch: 'all', paths: ['lib/terminfo/v/vt100', 'lib/terminfo/x'] },
    ]);
    expect(() => parsePackageList('Busy_Box\n')).toThrow(/bad package name/);
    expect(() => parsePackageList('rm -rf /\n')).toThrow(/bad path/);
    expect(() => parsePackageList('strace\nstrace\n')).toThrow(/twice/);
    expect(() => parsePackageList('strace ../etc/shadow\n')).toThrow(/bad path/);
  });

  it('the mainstone list has the shell, the references, the debugger and their libraries', () => {
    const list = parsePackageList(fs.readFileSync(path.join(findRepoRoot(), 'resources/guest/mainstone/armel-packages.txt'), 'utf8'));
    expect(list.map((p) => p.name)).toEqual(expect.arrayContaining(['busybox-static', 'strace', 'blktrace', 'gdbserver', 'libc6', 'libgcc-s1', 'libstdc++6', 'libaio1']));
  });

  it('parses apt-get --print-uris (epochs are %3a in file names)', () => {
    const out = [
      "'http://deb.debian.org/debian/pool/main/b/busybox/busybox-static_1%3a1.35.0-4%2bdeb12u1%2bb1_armel.deb' busybox-static_1%3a1.35.0-4+deb12u1+b1_armel.deb 812140 SHA256:061813bf602fdec8f81f07afd196a0e1b8ab0223fbbe9d7b4e003ee44130a60f",
      "'http://deb.debian.org/debian/pool/main/g/gcc-12/libstdc%2b%2b6_12.2.0-14%2bdeb12u1_armel.deb' libstdc++6_12.2.0-14+deb12u1_armel.deb 506204 SHA256:0ddc1914184e5beb5db4c7d7c6c2ce7de14094ac8cdf1d5b9ed6e2097ff8b6b1",
      'W: some warning',
    ].join('\n');
    expect(parsePrintUris(out)).toEqual([
      { name: 'busybox-static', version: '1:1.35.0-4+deb12u1+b1', file: 'busybox-static_1%3a1.35.0-4+deb12u1+b1_armel.deb', size: 812140, sha256: '061813bf602fdec8f81f07afd196a0e1b8ab0223fbbe9d7b4e003ee44130a60f' },
      { name: 'libstdc++6', version: '12.2.0-14+deb12u1', file: 'libstdc++6_12.2.0-14+deb12u1_armel.deb', size: 506204, sha256: '0ddc1914184e5beb5db4c7d7c6c2ce7de14094ac8cdf1d5b9ed6e2097ff8b6b1' },
    ]);
  });

  it('parses readelf -d -l output', () => {
    const text = `
Program Headers:
  INTERP         0x000174 0x00000174 0x00000174 0x00013 0x00013 R   0x1
      [Requesting program interpreter: /lib/ld-linux.so.3]
Dynamic section at offset 0x9ee4c contains 29 entries:
  Tag        Type                         Name/Value
 0x00000001 (NEEDED)                     Shared library: [libstdc++.so.6]
 0x00000001 (NEEDED)                     Shared library: [libgcc_s.so.1]
 0x00000001 (NEEDED)                     Shared library: [libc.so.6]
 0x0000000e (SONAME)                     Library soname: [libfoo.so.1]
`;
    expect(parseReadelf(text)).toEqual({ needed: ['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so.6'], interp: '/lib/ld-linux.so.3' });
    expect(parseReadelf('There is no dynamic section in this file.')).toEqual({ needed: [], interp: undefined });
  });
});
