import { describe, expect, it } from 'vitest';
import { guessBuiltBinary, guestPathFor, isAbsoluteHostPath } from './runTarget';

const cwd = '/ws/sessions/abc/host';

describe('guessBuiltBinary', () => {
  it('takes the -o of the last compiler command, resolved against the folder', () => {
    const text = [
      `root@vm:${cwd}# $CC $CFLAGS hello.c -o hello`,
      `root@vm:${cwd}# ls -o`,
      `root@vm:${cwd}# arm-linux-gnueabi-gcc -static -O2 -o out/bench bench.c && file out/bench`,
      'out/bench: ELF 32-bit LSB executable, ARM',
      `root@vm:${cwd}# `,
    ].join('\r\n');
    expect(guessBuiltBinary(text, cwd)).toBe(`${cwd}/out/bench`);
    expect(guessBuiltBinary(text.split('\r\n').slice(0, 2).join('\r\n'), cwd)).toBe(`${cwd}/hello`);
  });

  it('handles quotes, absolute paths, -oFILE, colours', () => {
    expect(guessBuiltBinary(`\x1b[01;32m$\x1b[0m \${CC} x.c -o '/tmp/my prog'`, cwd)).toBe('/tmp/my prog');
    expect(guessBuiltBinary('$CC x.c -ohello2', cwd)).toBe(`${cwd}/hello2`);
    expect(guessBuiltBinary('gcc -o "../a b" x.c', cwd)).toBe('/ws/sessions/abc/a b');
  });

  it('null when nothing was built', () => {
    expect(guessBuiltBinary('ls -l\r\ntotal 0\r\n', cwd)).toBeNull();
    expect(guessBuiltBinary('$CC -o $OUT x.c', cwd)).toBeNull();
    expect(guessBuiltBinary('', cwd)).toBeNull();
    expect(guessBuiltBinary('echo hello world -o x', cwd)).toBeNull();
    expect(guessBuiltBinary('/usr/bin/gcc-12 -o y y.c', cwd)).toBe(`${cwd}/y`);
  });
});

describe('guest paths', () => {
  it('/tmp/<name>', () => {
    expect(guestPathFor('/a/b/hello')).toBe('/tmp/hello');
    expect(guestPathFor('C:\\x\\y.exe')).toBe('/tmp/y.exe');
  });

  it('absolute host paths', () => {
    expect(isAbsoluteHostPath('/x')).toBe(true);
    expect(isAbsoluteHostPath('C:\\x')).toBe(true);
    expect(isAbsoluteHostPath('x/y')).toBe(false);
  });
});
