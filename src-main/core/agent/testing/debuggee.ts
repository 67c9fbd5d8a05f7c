/** Test helper: the integration tests' debuggee (testing/debuggee.c), cross-compiled static for the guest. */
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

export function buildDebuggee(cross = 'arm-linux-gnueabi-'): BuiltDebuggee {
  const src = path.join(path.dirname(new URL(import.meta.url).pathname), 'debuggee.c');
  const hash = crypto.createHash('sha256').update(fs.readFileSync(src)).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), `benchtop-debuggee-${process.getuid?.() ?? 'u'}`, hash);
  const elf = path.join(dir, 'debuggee');
  const stripped = path.join(dir, 'debuggee.stripped');
  if (!fs.existsSync(stripped)) {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync(`${cross}gcc`, ['-std=c99', '-Wall', '-O0', '-g', '-static', '-o', elf, src]);
    execFileSync(`${cross}strip`, ['-o', stripped, elf]);
  }
  const symbols: BuiltDebuggee['symbols'] = {};
  for (const line of execFileSync(`${cross}nm`, ['-S', elf], { encoding: 'utf8' }).split('\n')) {
    const m = line.match(/^([0-9a-f]+) (?:([0-9a-f]+) )?[A-Za-z] (\S+)$/);
    if (m) symbols[m[3]!] = { addr: parseInt(m[1]!, 16), size: m[2] ? parseInt(m[2], 16) : 0 };
  }
  return { elf, stripped, symbols };
}
