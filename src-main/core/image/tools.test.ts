import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchtopError } from '../../../src-shared/errors';
import { mainstone } from '../boards/profiles';
import { checkTools, requiredTools, which } from './tools';

const dirs: string[] = [];
function tmpdir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'benchtop-tools-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function fakeBin(dir: string, name: string, mode = 0o755) {
  fs.writeFileSync(path.join(dir, name), '#!/bin/sh\nexit 0\n');
  fs.chmodSync(path.join(dir, name), mode);
}

describe('host tool check', () => {
  const tools = requiredTools(mainstone.image);

  it('names each missing tool and the Debian package that provides it', () => {
    const empty = tmpdir();
    let err: unknown;
    try {
      checkTools(tools, empty);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BenchtopError);
    const e = err as BenchtopError;
    expect(e.code).toBe('missing-tool');
    expect(e.message).toContain('mkfs.ext4 (Debian package e2fsprogs');
    expect(e.message).toContain('arm-linux-gnueabi-gcc (Debian package gcc-arm-linux-gnueabi');
    expect(e.message).toContain('xz (Debian package xz-utils');
    expect(e.message).toMatch(/apt-get install .*binutils-arm-linux-gnueabi/);
  });

  it('passes when every tool is present, and reports only the one that is not', () => {
    const bin = tmpdir();
    for (const t of tools) fakeBin(bin, t.name);
    expect(() => checkTools(tools, bin)).not.toThrow();
    fs.rmSync(path.join(bin, 'bison'));
    fakeBin(bin, 'bison', 0o644); // present but not executable: still missing
    expect(() => checkTools(tools, bin)).toThrow(/bison \(Debian package bison;/);
    expect(() => checkTools(tools, bin)).not.toThrow(/flex/);
  });

  it('which() searches PATH in order', () => {
    const a = tmpdir();
    const b = tmpdir();
    fakeBin(b, 'tool-x');
    expect(which('tool-x', [a, b].join(path.delimiter))).toBe(path.join(b, 'tool-x'));
    expect(which('tool-x', a)).toBeUndefined();
  });
});
