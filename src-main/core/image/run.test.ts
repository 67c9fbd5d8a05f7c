import { describe, expect, it } from 'vitest';
import { BenchtopError } from '../../../src-shared/errors';
import { run } from './run';

describe('run', () => {
  it('streams lines and returns stdout', async () => {
    const lines: string[] = [];
    const r = await run('sh', ['-c', 'echo one; echo two >&2; printf three'], { onLine: (l) => lines.push(l) });
    expect(r.stdout).toBe('one\nthree');
    expect(lines.sort()).toEqual(['one', 'three', 'two']);
  });

  it('passes arguments verbatim (no shell)', async () => {
    const r = await run('printf', ['%s|', 'a b', '$(id)', ';ls']);
    expect(r.stdout).toBe('a b|$(id)|;ls|');
  });

  it('fails with the tail of the output, or missing-tool', async () => {
    await expect(run('sh', ['-c', 'echo boom; exit 3'])).rejects.toThrow(/exit code 3[\s\S]*boom/);
    const err = await run('no-such-program-benchtop', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchtopError);
    expect((err as BenchtopError).code).toBe('missing-tool');
  });

  it('kills the whole process group on abort', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const p = run('sh', ['-c', 'sleep 30 & sleep 30; wait'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toThrow(/aborted/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
