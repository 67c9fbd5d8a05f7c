/** Test helper: programs for the guest (the integration tests' debuggee, testing/debuggee.c, and others), cross-compiled static. */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BuiltDebuggee {
  /** With symbols, for the host's gdb. */
  elf: string;
  /** Stripped, to put into the guest. */
  stripped: string;
  /** Symbol → address (and size where nm knows it). */
  symbols: Record<string, { addr: number; size: number }>;
}

/**
 * Cross-compile a test program (C99, static, with symbols) for the guest; cached in the temp
 * folder by the source's hash. Returns the ELF with symbols and a stripped copy to put.
 */
export function buildGuestProgram(src: string, cross = 'arm-linux-gnueabi-'): { elf: string; stripped: string } {
  const hash = crypto.createHash('sha256').update(fs.readFileSync(src)).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), `benchtop-guest-programs-${process.getuid?.() ?? 'u'}`, hash);
  const name = path.basename(src, '.c');
  const elf = path.join(dir, name);
  const stripped = path.join(dir, `${name}.stripped`);
  if (!fs.existsSync(stripped)) {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync(`${cross}gcc`, ['-std=c99', '-Wall', '-O0', '-g', '-static', '-o', elf, src]);
    execFileSync(`${cross}strip`, ['-o', `${stripped}.tmp`, elf]);
    fs.renameSync(`${stripped}.tmp`, stripped);
  }
  return { elf, stripped };
}

export function buildDebuggee(cross = 'arm-linux-gnueabi-'): BuiltDebuggee {
  const { elf, stripped } = buildGuestProgram(path.join(path.dirname(new URL(import.meta.url).pathname), 'debuggee.c'), cross);
  const symbols: BuiltDebuggee['symbols'] = {};
  for (const line of execFileSync(`${cross}nm`, ['-S', elf], { encoding: 'utf8' }).split('\n')) {
    const m = line.match(/^([0-9a-f]+) (?:([0-9a-f]+) )?[A-Za-z] (\S+)$/);
    if (m) symbols[m[3]!] = { addr: parseInt(m[1]!, 16), size: m[2] ? parseInt(m[2], 16) : 0 };
  }
  return { elf, stripped, symbols };
}
