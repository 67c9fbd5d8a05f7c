/**
 * Property tests of the agent's /proc parsers (resources/guest/agent/procparse.c), built for
 * this machine as `procparse-test --batch` and fed with fast-check-generated /proc texts:
 * random field values (up to 2^64 − 1), odd comm strings (blanks, parentheses, any byte),
 * any column count, truncated lines, garbage. The parsed values must be the generated ones,
 * and nothing may crash. The texts captured from the real guest are checked by the same
 * program in `make test` (resources/guest/agent/test/fixtures).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentSourceDir } from '../agent/deploy';

let bin: string;

beforeAll(() => {
  const cc = spawnSync('sh', ['-c', 'command -v "${CC:-cc}" || command -v gcc'], { encoding: 'utf8' });
  if (cc.status !== 0 || !cc.stdout.trim()) throw new Error('proc-parsers.test: no C compiler (cc/gcc) on PATH — install gcc; this test builds the agent\'s parsers for the host');
  const out = path.join(os.tmpdir(), `benchtop-procparse-${process.getuid?.() ?? 'u'}`);
  execFileSync('make', ['-s', '-C', agentSourceDir(), `OUT=${out}`, `${out}/procparse-test`], { stdio: ['ignore', 'pipe', 'pipe'] });
  bin = path.join(out, 'procparse-test');
});

type Kind = 's' | 'n' | 'm' | 'i' | 'p' | 'u' | 'c';

/** Run the parser program on inputs; one output line (split on blanks) per input. */
function parse(inputs: [Kind, Buffer][]): string[][] {
  const parts: Buffer[] = [];
  for (const [k, text] of inputs) {
    const h = Buffer.alloc(5);
    h.write(k, 0, 'latin1');
    h.writeUInt32LE(text.length, 1);
    parts.push(h, text);
  }
  const r = spawnSync(bin, ['--batch'], { input: Buffer.concat(parts), maxBuffer: 64 << 20 });
  if (r.status !== 0 || r.signal) throw new Error(`procparse-test exited ${r.status ?? r.signal}: ${r.stderr}`);
  const lines = r.stdout.toString('latin1').split('\n').filter((l) => l);
  expect(lines).toHaveLength(inputs.length);
  return lines.map((l) => l.split(' '));
}
const unhex = (h: string) => (h === '-' ? Buffer.alloc(0) : Buffer.from(h, 'hex'));

// ---------------------------------------------------------------- generators

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const small = fc.bigInt({ min: 0n, max: 10n ** 12n });
const num = fc.oneof(small, u64);
const blanks = fc.stringMatching(/^[ \t]{1,4}$/);
const word = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_:.,\-()/]{0,9}$/);

describe('/proc parsers (C, built for the host) on generated texts', () => {
  it('/proc/stat: the cpu line (8–10 columns), the intr line by IRQ number, ctxt, processes, procs_running, procs_blocked', () => {
    fc.assert(
      fc.property(
        fc.array(num, { minLength: 8, maxLength: 10 }),
        fc.array(fc.array(small, { minLength: 10, maxLength: 10 }), { maxLength: 4 }),
        fc.array(small, { maxLength: 40 }),
        fc.tuple(num, num, num, num),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (cpu, percpu, intr, [ctxt, processes, running, blocked], present) => {
          const lines = [`cpu  ${cpu.join(' ')}`, ...percpu.map((c, i) => `cpu${i} ${c.join(' ')}`), `intr ${intr.join(' ')}`];
          const keyed: [string, bigint][] = [['ctxt', ctxt], ['processes', processes], ['procs_running', running], ['procs_blocked', blocked]];
          keyed.forEach(([k, v], i) => present[i] && lines.push(`${k} ${v}`));
          lines.splice(lines.length, 0, 'btime 0', 'softirq 1 2 3');
          const text = Buffer.from(lines.join('\n') + '\n');
          const [out, counts] = parse([['s', text], ['n', text]]);
          // The per-IRQ counts of the intr line, by IRQ number (after the line's total).
          expect(counts).toEqual(['n', String(Math.max(0, intr.length - 1)), ...intr.slice(1).map(String)]);
          const want = 1 | present.reduce((m, p, i) => m | (p ? 2 << i : 0), 0);
          expect(Number(out![1])).toBe(want);
          expect(out!.slice(2, 10)).toEqual(cpu.slice(0, 8).map(String));
          expect(out!.slice(10)).toEqual(keyed.map(([, v], i) => (present[i] ? String(v) : '0')));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('/proc/meminfo: the seven keys among others, in any order, any padding', () => {
    const keys = ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'Shmem', 'Slab'];
    const decoys = ['SwapCached', 'Active(anon)', 'SReclaimable', 'ShmemHugePages', 'MemTotalX', 'KernelStack'];
    fc.assert(
      fc.property(
        fc.array(fc.option(small, { nil: undefined }), { minLength: 7, maxLength: 7 }),
        fc.array(fc.tuple(fc.constantFrom(...decoys), small)),
        blanks,
        fc.nat(),
        (vals, extra, pad, seed) => {
          const lines = keys.flatMap((k, i) => (vals[i] === undefined ? [] : [`${k}:${pad}${vals[i]} kB`]));
          for (const [k, v] of extra) lines.splice(seed % (lines.length + 1), 0, `${k}:${pad}${v} kB`);
          const [out] = parse([['m', Buffer.from(lines.join('\n') + '\n')]]);
          expect(Number(out![1])).toBe(vals.reduce((m: number, v, i) => m | (v === undefined ? 0 : 1 << i), 0));
          expect(out!.slice(2)).toEqual(vals.map((v) => String(v ?? 0)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('/proc/interrupts: counts summed over the CPU columns, the description with its blanks collapsed', () => {
    const row = (ncpu: number) =>
      fc.oneof(
        fc.record({ id: fc.oneof(fc.nat({ max: 9999 }).map(String), fc.stringMatching(/^[A-Z]{2,4}[0-9]?$/)), counts: fc.array(small, { minLength: ncpu, maxLength: ncpu }), desc: fc.array(word, { maxLength: 5 }) }),
        // Err / MIS lines: one count, no description.
        fc.record({ id: fc.constantFrom('Err', 'MIS'), counts: fc.array(small, { minLength: 1, maxLength: 1 }), desc: fc.constant([] as string[]) }),
      );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((ncpu) => fc.tuple(fc.constant(ncpu), fc.array(row(ncpu), { maxLength: 30 }), blanks)),
        ([ncpu, rows, pad]) => {
          const header = ' '.repeat(11) + Array.from({ length: ncpu }, (_, i) => `CPU${i}`.padStart(8)).join('  ');
          const text = [header, ...rows.map((r) => `${r.id.padStart(4)}:${r.counts.map((c) => String(c).padStart(11)).join(' ')}${r.desc.length ? pad + r.desc.join(pad) : ''}`)].join('\n') + '\n';
          const [out] = parse([['i', Buffer.from(text)]]);
          expect(Number(out![1])).toBe(rows.length);
          rows.forEach((r, i) => {
            const [id, desc, count] = out!.slice(2 + 3 * i, 5 + 3 * i);
            expect(unhex(id!).toString()).toBe(r.id);
            expect(unhex(desc!).toString()).toBe(r.desc.join(' ').slice(0, 63).trimEnd());
            const sum = r.counts.reduce((a, b) => a + b, 0n);
            expect(count).toBe(String(sum > 2n ** 64n - 1n ? 2n ** 64n - 1n : sum));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  const comm = fc.uint8Array({ minLength: 0, maxLength: 15 }).map((b) => Buffer.from(b.map((x) => x || 0x29))); // any byte but NUL; ')' often
  const statFields = fc.record({
    pid: fc.integer({ min: 1, max: 4194304 }),
    state: fc.constantFrom(...'RSDZTtXxKWPI'),
    ppid: fc.integer({ min: 0, max: 4194304 }).map(BigInt),
    utime: num,
    stime: num,
    threads: fc.integer({ min: 1, max: 100000 }).map(BigInt),
    start: num,
    vsize: num,
    rss: num,
    signed: fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 3, maxLength: 3 }),
    tail: fc.array(small, { minLength: 0, maxLength: 28 }),
  });
  type StatFields = typeof statFields extends fc.Arbitrary<infer T> ? T : never;
  const statText = (c: Buffer, f: StatFields): { text: Buffer; field24End: number } => {
    // Fields 4…24 as proc(5) numbers them; 8 (tpgid), 18 (priority), 19 (nice) may be negative.
    const fields = [f.ppid, 1n, 1n, 0n, f.signed[0]!, 4194304n, 7n, 0n, 0n, 0n, f.utime, f.stime, 0n, 0n, f.signed[1]!, f.signed[2]!, f.threads, 0n, f.start, f.vsize, f.rss];
    const head = Buffer.concat([Buffer.from(`${f.pid} (`), c, Buffer.from(`) ${f.state} ${fields.join(' ')}`)]);
    return { text: Buffer.concat([head, Buffer.from(f.tail.length ? ' ' + f.tail.join(' ') + '\n' : '\n')]), field24End: head.length };
  };

  it('/proc/<pid>/stat: any comm (blanks, parentheses, any byte), negative fields, any tail', () => {
    fc.assert(
      fc.property(comm, statFields, (c, f) => {
        const [out] = parse([['p', statText(c, f).text]]);
        expect(out![1]).toBe('1');
        expect(unhex(out![2]!).equals(c)).toBe(true);
        expect(Number(out![3])).toBe(f.state.charCodeAt(0));
        expect(out!.slice(4)).toEqual([f.ppid, f.utime, f.stime, f.threads, f.start, f.vsize, f.rss].map(String));
      }),
      { numRuns: 300 },
    );
  });

  it('/proc/<pid>/stat truncated: not parsed before field 24 is complete, the same values after', () => {
    fc.assert(
      fc.property(comm, statFields, fc.nat(), (c, f, cutSeed) => {
        const { text, field24End } = statText(c, f);
        const cut = cutSeed % text.length;
        const [out] = parse([['p', text.subarray(0, cut)]]);
        if (cut < field24End - String(f.rss).length) expect(out![1]).toBe('0');
        if (cut >= field24End) {
          expect(out![1]).toBe('1');
          expect(out!.slice(4)).toEqual([f.ppid, f.utime, f.stime, f.threads, f.start, f.vsize, f.rss].map(String));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('/proc/<pid>/status Uid and /proc/<pid>/cmdline', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b.filter((x) => x !== 0))), { maxLength: 6 }),
        (uid, args) => {
          const status = `Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t41\nPid:\t41\nPPid:\t33\nUid:\t${uid}\t${uid}\t0\t0\nGid:\t0\t0\t0\t0\n`;
          const cmd = Buffer.concat(args.flatMap((a) => [a, Buffer.from([0])]));
          const [u, c] = parse([['u', Buffer.from(status)], ['c', cmd]]);
          expect(u).toEqual(['u', '1', String(uid)]);
          // The kernel's text: arguments NUL-terminated; trailing NULs go, the others become blanks.
          let end = cmd.length;
          while (end > 0 && cmd[end - 1] === 0) end--;
          const want = Buffer.from(cmd.subarray(0, end).map((x) => (x === 0 ? 0x20 : x)));
          expect(unhex(c![1]!).equals(want)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('garbage of any kind is survived: one answer per input, no crash', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom<Kind>('s', 'n', 'm', 'i', 'p', 'u', 'c'), fc.uint8Array({ maxLength: 2000 })), { minLength: 1, maxLength: 30 }), (inputs) => {
        const out = parse(inputs.map(([k, b]) => [k, Buffer.from(b)]));
        out.forEach((o, i) => expect(o[0]).toBe(inputs[i]![0]));
      }),
      { numRuns: 200 },
    );
  });

  it('lines longer than the agent keeps are cut, not overrun', () => {
    const longDesc = Array.from({ length: 40 }, (_, i) => `word${i}`).join('   ');
    const [i, p] = parse([
      ['i', Buffer.from(`   CPU0\n${'X'.repeat(40)}: 5 ${longDesc}\n`)],
      ['p', Buffer.from(`1 (${'c'.repeat(200)}) S 0 0 0 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 4 0 0\n`)],
    ]);
    expect(unhex(i![2]!).toString()).toBe('X'.repeat(15));
    expect(unhex(i![3]!).toString()).toBe(longDesc.replace(/ +/g, ' ').slice(0, 63).trimEnd());
    expect(i![4]).toBe('5');
    expect(p![1]).toBe('1');
    expect(unhex(p![2]!).toString()).toBe('c'.repeat(63));
  });
});
