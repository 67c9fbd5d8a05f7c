import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostProcessSampler, parseProcStat } from './host-proc';

const statLine = (comm: string, utime: number, stime: number, rss: number) =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 3 0 12345 987654321 ${rss} 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0`;

describe('parseProcStat', () => {
  it('reads fields after the last parenthesis, whatever the command name holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 15 }).filter((s) => !s.includes('\n')), fc.nat(), fc.nat(), fc.nat(), (comm, u, s, rss) => {
        const st = parseProcStat(statLine(comm, u, s, rss));
        expect(st).not.toBeNull();
        expect(st!.comm).toBe(comm);
        expect([st!.utime, st!.stime, st!.rssPages, st!.threads, st!.startTicks]).toEqual([u, s, rss, 3, 12345]);
      }),
    );
  });
  it('rejects truncated lines instead of guessing', () => {
    expect(parseProcStat('12 (sh) S 1 2 3')).toBeNull();
    expect(parseProcStat('garbage')).toBeNull();
  });
  it('parses the real /proc/self/stat of this process', async () => {
    const fs = await import('node:fs');
    const st = parseProcStat(fs.readFileSync('/proc/self/stat', 'utf8'));
    expect(st?.comm.length).toBeGreaterThan(0);
    expect(st!.rssPages).toBeGreaterThan(0);
  });
});

describe('HostProcessSampler', () => {
  it('computes CPU % over a window of at least a second, not per 100 ms read', () => {
    let now = 0;
    let ticks = 0;
    const s = new HostProcessSampler(1, () => statLine('qemu', ticks, 0, 1000), () => now, 1000);
    const out: number[] = [];
    for (let i = 0; i <= 30; i++) {
      now = i * 100;
      ticks = Math.floor(i * 100 * 0.05); // 50 % of a core at 100 ticks/s = 5 ticks per 100 ms
      out.push(s.sample()!.qemuCpuPct);
    }
    for (const v of out.slice(11)) expect(v).toBeCloseTo(50, 0);
    expect(s.sample()!.qemuRssKb).toBeGreaterThan(0);
  });
  it('gives null once the process is gone', () => {
    const s = new HostProcessSampler(1, () => {
      throw new Error('ENOENT');
    });
    expect(s.sample()).toBeNull();
  });
});
