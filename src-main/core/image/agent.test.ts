import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BenchtopError } from '../../../src-shared/errors';
import { mainstone } from '../boards/profiles';
import { findRepoRoot } from '../util/repo-root';
import { which } from './tools';
import { agentCompileArgs, agentInputFiles, buildAgentBinary } from './agent';
import { imageInputFiles, imageKey } from './key';

const V = { kernelSourceVersion: '6.1.192-2' };
const CROSS = mainstone.image.crossCompile;

describe('target agent in the image', () => {
  let root: string;
  const write = (rel: string, text: string) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'benchtop-agent-img-'));
    write('resources/guest/mainstone/init', '#!/bin/sh\n');
    write('resources/guest/agent/main.c', 'int main(void) { return 0; }\n');
    write('resources/guest/agent/agent.h', '#define X 1\n');
    write('resources/guest/agent/test/driver.py', 'print(1)\n');
    write('resources/guest/agent/README.md', '# agent\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('takes its sources and headers as image inputs, not its tests or README', () => {
    const rel = agentInputFiles(root).map((f) => path.relative(root, f));
    expect(rel).toEqual(['resources/guest/agent/agent.h', 'resources/guest/agent/main.c']);
    const all = imageInputFiles(mainstone, root).map((f) => path.relative(root, f));
    expect(all).toEqual(expect.arrayContaining(rel));
  });

  it('changes the image key when an agent source changes, not when its tests do', () => {
    const k0 = imageKey(mainstone, root, V);
    write('resources/guest/agent/test/driver.py', 'print(2)\n');
    write('resources/guest/agent/README.md', '# agent, measured\n');
    expect(imageKey(mainstone, root, V)).toBe(k0);
    write('resources/guest/agent/main.c', 'int main(void) { return 1; }\n');
    expect(imageKey(mainstone, root, V)).not.toBe(k0);
  });

  it('covers the real agent sources', () => {
    const repo = findRepoRoot();
    const names = agentInputFiles(repo).map((f) => path.basename(f));
    expect(names).toEqual(expect.arrayContaining(['main.c', 'link.c', 'frame.c', 'agent.h']));
    expect(imageInputFiles(mainstone, repo)).toEqual(expect.arrayContaining(agentInputFiles(repo)));
  });

  it('compiles static, small and strict', () => {
    expect(agentCompileArgs(['a.c'], '/o')).toEqual(['-std=c99', '-Wall', '-Wextra', '-Werror', '-Os', '-static', '-s', '-o', '/o', 'a.c']);
  });

  it('fails clearly without sources', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'benchtop-agent-none-'));
    try {
      const err = await buildAgentBinary({ repoRoot: empty, crossCompile: CROSS, outFile: path.join(empty, 'a') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BenchtopError);
      expect((err as BenchtopError).code).toBe('missing-file');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it.skipIf(!which(`${CROSS}gcc`))('cross-compiles the real agent to a static ARM executable', async () => {
    const out = path.join(root, 'out', 'benchtop-agent');
    const built = await buildAgentBinary({ repoRoot: findRepoRoot(), crossCompile: CROSS, outFile: out });
    const elf = fs.readFileSync(out);
    expect(elf.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(elf[4]).toBe(1); // ELFCLASS32
    expect(elf.readUInt16LE(18)).toBe(40); // EM_ARM
    // Static: no program header of type PT_INTERP (3).
    const phoff = elf.readUInt32LE(28);
    const phentsize = elf.readUInt16LE(42);
    const phnum = elf.readUInt16LE(44);
    const types = Array.from({ length: phnum }, (_, i) => elf.readUInt32LE(phoff + i * phentsize));
    expect(types).not.toContain(3);
    expect(built.bytes).toBe(elf.length);
    expect(built.bytes).toBeLessThan(1024 * 1024);
    expect(built.sha256).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);
});
