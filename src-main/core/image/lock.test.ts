import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, withLock } from './lock';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'benchtop-lock-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('build lock', () => {
  it('serialises two holders of the same lock; the second waits', async () => {
    const lock = path.join(tmp, 'a.lock');
    const order: string[] = [];
    let waited = false;
    const first = withLock(lock, async () => {
      order.push('1 start');
      await new Promise((r) => setTimeout(r, 300));
      order.push('1 end');
    });
    await new Promise((r) => setTimeout(r, 20));
    const second = withLock(
      lock,
      async () => {
        order.push('2');
      },
      { pollMs: 50, onWait: () => (waited = true) },
    );
    await Promise.all([first, second]);
    expect(order).toEqual(['1 start', '1 end', '2']);
    expect(waited).toBe(true);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner process is dead', async () => {
    const lock = path.join(tmp, 'b.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), since: 'then' }));
    const release = await acquireLock(lock, { pollMs: 10 });
    expect(JSON.parse(fs.readFileSync(lock, 'utf8')).pid).toBe(process.pid);
    await release();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('stops waiting when aborted', async () => {
    const lock = path.join(tmp, 'c.lock');
    const release = await acquireLock(lock);
    const ac = new AbortController();
    const waiting = acquireLock(lock, { signal: ac.signal, pollMs: 20 });
    setTimeout(() => ac.abort(), 60);
    await expect(waiting).rejects.toThrow(/aborted/);
    await release();
  });
});
