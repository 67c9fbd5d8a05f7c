/**
 * The target agent (resources/guest/agent/, C) cross-compiled for the guest image: one static
 * binary, installed as /usr/sbin/benchtop-agent in the initramfs and started by /init on the
 * board's agent UART. Same compiler line as `make arm` in the agent's Makefile.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BenchtopError } from '../../../src-shared/errors';
import { run } from './run';

/** Where the agent lives in the guest. */
export const AGENT_GUEST_PATH = 'usr/sbin/benchtop-agent';

export function agentSourceDir(repoRoot: string): string {
  return path.join(repoRoot, 'resources', 'guest', 'agent');
}

/**
 * The files the agent binary is built from: the C sources and headers at the top of its
 * directory (absolute, sorted). Its test/ folder and README are not in the image, so they do
 * not change the image key.
 */
export function agentInputFiles(repoRoot: string): string[] {
  const dir = agentSourceDir(repoRoot);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.[ch]$/.test(n) && fs.statSync(path.join(dir, n)).isFile())
    .sort()
    .map((n) => path.join(dir, n));
}

/** `<cross>gcc` arguments: C99, every warning an error, small, static, stripped. */
export function agentCompileArgs(sources: string[], outFile: string): string[] {
  return ['-std=c99', '-Wall', '-Wextra', '-Werror', '-Os', '-static', '-s', '-o', outFile, ...sources];
}

export interface BuiltAgent {
  file: string;
  bytes: number;
  sha256: string;
}

/** Compile the agent for the guest into `outFile`. */
export async function buildAgentBinary(o: {
  repoRoot: string;
  /** e.g. 'arm-linux-gnueabi-' (the board recipe's crossCompile). */
  crossCompile: string;
  outFile: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}): Promise<BuiltAgent> {
  const all = agentInputFiles(o.repoRoot);
  const sources = all.filter((f) => f.endsWith('.c'));
  if (!sources.length) {
    throw new BenchtopError('missing-file', `no agent sources (*.c) in ${path.relative(o.repoRoot, agentSourceDir(o.repoRoot))}`);
  }
  await fs.promises.mkdir(path.dirname(o.outFile), { recursive: true });
  const cc = `${o.crossCompile}gcc`;
  o.log?.(`${cc} ${agentCompileArgs(sources.map((s) => path.basename(s)), o.outFile).join(' ')}`);
  await run(cc, agentCompileArgs(sources, o.outFile), { cwd: agentSourceDir(o.repoRoot), signal: o.signal, onLine: o.log });
  const data = await fs.promises.readFile(o.outFile);
  return { file: o.outFile, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}
