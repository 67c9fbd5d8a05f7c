/**
 * The monitor record codec (./sample-codec.ts) against a test-only encoder written from the
 * spec (docs/agent-protocol.md, "Monitor"): random guest states round-trip through
 * encode → decode/assemble over many delta steps and random record splits; garbage and
 * truncated records give typed errors, never a throw. The agent's own encoder (C) is checked
 * against this decoder in guest-sampler.test.ts (native agent) and the integration test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GuestProc, GuestSample } from './guest-sample';
import { decodeRecord, ItemTag, PROC_NUMBERS, ProcField, RecordFlag, SampleAssembler, ScanFlag } from './sample-codec';

// ---------------------------------------------------------------- test-only encoder

function uv(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
const zz = (d: number): number[] => uv(d >= 0 ? d * 2 : -d * 2 - 1);
const str = (s: string): number[] => {
  const b = Buffer.from(s, 'utf8');
  return [...uv(b.length), ...b];
};

interface IrqLine {
  id: string;
  desc: string;
  count: number;
}
type Proc = Omit<GuestProc, 'kernelThread'>;
interface State {
  monoUs: number;
  sys: number[]; // the 19 numbers after monoUs, in wire order
  irqs: IrqLine[];
  procs: Proc[] | null; // null: no scan in this sample
}

const SYS_N = 19;

/** Encodes states as the agent does, each item a unit that a record split may not cut. */
class Encoder {
  private sys = new Array(SYS_N + 1).fill(0) as number[];
  private irqs: IrqLine[] = [];
  private procs = new Map<number, Proc>();
  private scanned = false;
  private seq = 0;
  constructor(private readonly maxRecord: number) {}

  encode(s: State): Buffer[] {
    const now = [s.monoUs, ...s.sys];
    const head = [RecordFlag.FIRST, ...uv(this.seq), ...now.flatMap((v, i) => zz(v - this.sys[i]!))];
    this.sys = now;
    const items: number[][] = [];
    if (s.irqs.length !== this.irqs.length) items.push([ItemTag.IRQ_ROWS, ...uv(s.irqs.length)]);
    s.irqs.forEach((l, row) => {
      let was = this.irqs[row]?.count ?? 0;
      if (!this.irqs[row] || this.irqs[row]!.id !== l.id || this.irqs[row]!.desc !== l.desc) {
        items.push([ItemTag.IRQ_NAME, ...uv(row), ...str(l.id), ...str(l.desc)]);
        was = 0;
      }
      if (l.count !== was) items.push([ItemTag.IRQ_COUNT, ...uv(row), ...zz(l.count - was)]);
    });
    this.irqs = s.irqs.map((l) => ({ ...l }));
    if (s.procs) {
      items.push([ItemTag.SCAN, this.scanned ? 0 : ScanFlag.FULL]);
      this.scanned = true;
      const next = new Map(s.procs.map((p) => [p.pid, p]));
      for (const pid of this.procs.keys()) if (!next.has(pid)) items.push([ItemTag.GONE, ...uv(pid)]);
      for (const p of s.procs) {
        const was = this.procs.get(p.pid);
        const isNew = !was || was.startTicks !== p.startTicks;
        const base: Proc = isNew ? { pid: p.pid, ppid: 0, state: '', utime: 0, stime: 0, startTicks: 0, vszKb: 0, rssKb: 0, threads: 0, uid: 0, comm: '', cmdline: '', exe: '' } : was!;
        let mask = isNew ? ProcField.NEW : 0;
        if (p.state !== base.state) mask |= ProcField.STATE;
        PROC_NUMBERS.forEach((k, i) => p[k] !== base[k] && (mask |= ProcField.PPID << i));
        if (p.comm !== base.comm) mask |= ProcField.COMM;
        if (p.cmdline !== base.cmdline) mask |= ProcField.CMDLINE;
        if (p.exe !== base.exe) mask |= ProcField.EXE;
        if (!mask) continue;
        const it = [ItemTag.PROC, ...uv(p.pid), ...uv(mask)];
        if (mask & ProcField.STATE) it.push(p.state.charCodeAt(0));
        PROC_NUMBERS.forEach((k, i) => mask & (ProcField.PPID << i) && it.push(...zz(p[k] - base[k])));
        if (mask & ProcField.COMM) it.push(...str(p.comm));
        if (mask & ProcField.CMDLINE) it.push(...str(p.cmdline));
        if (mask & ProcField.EXE) it.push(...str(p.exe));
        items.push(it);
      }
      this.procs = next;
    }
    // Pack items into records of at most maxRecord bytes (an item never straddles two).
    const records: number[][] = [head];
    for (const it of items) {
      if (records.at(-1)!.length + it.length > this.maxRecord) records.push([0, ...uv(this.seq)]);
      records.at(-1)!.push(...it);
    }
    records.at(-1)![0]! |= RecordFlag.LAST;
    this.seq++;
    return records.map((r) => Buffer.from(r));
  }
}

/** A STREAM payload (after the kind byte): the records, each with its uv length. */
const payload = (...records: Buffer[]): Buffer => Buffer.concat(records.flatMap((r) => [Buffer.from(uv(r.length)), r]));

// ---------------------------------------------------------------- generators

const counter = fc.integer({ min: 0, max: 2 ** 40 });
const ascii = (max: number) => fc.string({ maxLength: max });
const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });

const procArb = (pid: number): fc.Arbitrary<Proc> =>
  fc.record({
    pid: fc.constant(pid),
    ppid: fc.integer({ min: 0, max: 32768 }),
    state: fc.constantFrom('R', 'S', 'D', 'Z', 'T', 'I', 'X'),
    utime: counter,
    stime: counter,
    startTicks: fc.integer({ min: 0, max: 3 }), // few values: pid reuse happens
    vszKb: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4_000_000 })),
    rssKb: fc.integer({ min: 0, max: 4_000_000 }),
    threads: fc.integer({ min: 1, max: 500 }),
    uid: fc.integer({ min: 0, max: 65535 }),
    comm: text(15),
    cmdline: fc.oneof(fc.constant(''), text(120)),
    exe: fc.oneof(fc.constant(''), ascii(60).map((s) => '/' + s)),
  });

const stateArb: fc.Arbitrary<Omit<State, 'monoUs'>> = fc.record({
  sys: fc.array(counter, { minLength: SYS_N, maxLength: SYS_N }),
  irqs: fc.array(
    fc.record({ id: fc.constantFrom('16', '19', '42', 'Err', 'IPI0', 'ost0'), desc: fc.oneof(fc.constantFrom('', 'SC 26 Edge ost0', 'UART1'), text(40)), count: counter }),
    { maxLength: 12 },
  ),
  procs: fc.option(
    fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 30 }).chain((pids) => fc.tuple(...pids.sort((a, b) => a - b).map(procArb))),
    { nil: null, freq: 2 },
  ),
});

/** A stream: monoUs strictly increasing; the first state always carries a scan. */
const streamArb = (maxSteps: number) =>
  fc.tuple(fc.array(stateArb, { minLength: 1, maxLength: maxSteps }), fc.integer({ min: 64, max: 1024 })).map(([states, maxRecord]) => ({
    maxRecord,
    states: states.map((s, i): State => ({ ...s, monoUs: 1_000_000 + i * 100_000, procs: i === 0 ? (s.procs ?? []) : s.procs })),
  }));

// ---------------------------------------------------------------- helpers

function expectSampleIs(got: GuestSample, want: State, seq: number, held: Map<number, Proc>) {
  expect(got.seq).toBe(seq);
  expect(got.monoUs).toBe(want.monoUs);
  const s = want.sys;
  expect([got.cpu.user, got.cpu.nice, got.cpu.system, got.cpu.idle, got.cpu.iowait, got.cpu.irq, got.cpu.softirq, got.cpu.steal]).toEqual(s.slice(0, 8));
  expect([got.ctxt, got.forks, got.procsRunning, got.procsBlocked]).toEqual(s.slice(8, 12));
  const m = got.mem;
  expect([m.totalKb, m.freeKb, m.availableKb, m.buffersKb, m.cachedKb, m.shmemKb, m.slabKb]).toEqual(s.slice(12, 19));
  // Ids repeat in the generator: the map holds the last row of each id, like the wire's rows.
  const irqs = new Map<string, number>();
  for (const l of want.irqs) irqs.set(l.id, l.count);
  expect(got.irqs).toEqual(irqs);
  if (want.procs === null) {
    expect(got.procs).toBeUndefined();
    return;
  }
  expect(got.procs).toBeDefined();
  const table = new Map(want.procs.map((p) => [p.pid, { ...p, kernelThread: p.vszKb === 0 && p.cmdline === '' }]));
  expect(got.procs).toEqual(table);
  held.clear();
  for (const p of want.procs) held.set(p.pid, p);
}

// ---------------------------------------------------------------- properties

describe('monitor record codec', () => {
  it('random states round-trip over many delta steps, record splits and batching', () => {
    fc.assert(
      fc.property(streamArb(25), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }), ({ states, maxRecord }, groups) => {
        const enc = new Encoder(maxRecord);
        const asm = new SampleAssembler();
        const held = new Map<number, Proc>();
        // All records in order, then packed into payloads of groups[i % n] records each.
        const perState = states.map((st) => enc.encode(st));
        perState.flat().forEach((r) => expect(r.length).toBeLessThanOrEqual(Math.max(maxRecord, 200 + 3 * 300)));
        const all = perState.flat();
        const out: GuestSample[] = [];
        for (let i = 0, g = 0; i < all.length; g++) {
          const n = groups[g % groups.length]!;
          const res = asm.push(payload(...all.slice(i, i + n)));
          if (!res.ok) throw new Error(res.error.message);
          out.push(...res.samples);
          i += n;
        }
        expect(out).toHaveLength(states.length); // exactly one sample per state, on its LAST record
        states.forEach((st, seq) => expectSampleIs(out[seq]!, st, seq, held));
      }),
      { numRuns: 150 },
    );
  });

  it('emitted samples are never modified by later records', () => {
    fc.assert(
      fc.property(streamArb(12), ({ states, maxRecord }) => {
        const enc = new Encoder(maxRecord);
        const asm = new SampleAssembler();
        const kept: { sample: GuestSample; copy: string }[] = [];
        const dump = (s: GuestSample) => JSON.stringify({ ...s, irqs: [...s.irqs], irqNames: [...s.irqNames], procs: s.procs && [...s.procs] });
        for (const st of states)
          for (const r of enc.encode(st)) {
            const res = asm.push(payload(r));
            if (res.ok) for (const x of res.samples) kept.push({ sample: x, copy: dump(x) });
          }
        for (const k of kept) expect(dump(k.sample)).toBe(k.copy);
      }),
      { numRuns: 60 },
    );
  });

  it('irqNames carries only the lines that are new or changed', () => {
    const enc = new Encoder(1024);
    const asm = new SampleAssembler();
    const base = { sys: new Array(SYS_N).fill(1), procs: null };
    const push = (st: State) => asm.push(payload(...enc.encode(st)));
    const a = push({ ...base, monoUs: 1, procs: [], irqs: [{ id: '42', desc: 'ost0', count: 5 }, { id: 'Err', desc: '', count: 0 }] });
    const b = push({ ...base, monoUs: 2, irqs: [{ id: '42', desc: 'ost0', count: 9 }, { id: 'Err', desc: '', count: 0 }] });
    const c = push({ ...base, monoUs: 3, irqs: [{ id: '42', desc: 'ost0, extra', count: 10 }] });
    if (!a.ok || !b.ok || !c.ok) throw new Error('decode failed');
    expect([...a.samples[0]!.irqNames]).toEqual([['42', 'ost0'], ['Err', '']]);
    expect(b.samples[0]!.irqNames.size).toBe(0);
    expect(b.samples[0]!.irqs.get('42')).toBe(9);
    expect([...c.samples[0]!.irqNames]).toEqual([['42', 'ost0, extra']]);
    expect([...c.samples[0]!.irqs]).toEqual([['42', 10]]);
  });

  it('garbage never throws: a typed error or a record', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
        const asm = new SampleAssembler();
        for (const c of chunks) {
          const d = decodeRecord(c);
          if (!d.ok) expect(typeof d.error.message).toBe('string');
          const r = asm.push(c);
          if (!r.ok) expect(r.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a truncated record is an error, or (cut between items) a prefix of the items', () => {
    fc.assert(
      fc.property(streamArb(3), fc.nat(), ({ states, maxRecord }, cut) => {
        const enc = new Encoder(maxRecord);
        const rec = states.map((s) => enc.encode(s)).flat()[cut % states.length]!;
        const at = cut % rec.length; // strictly shorter
        const full = decodeRecord(rec);
        const part = decodeRecord(rec.subarray(0, at));
        if (!full.ok) throw new Error(full.error.message);
        if (part.ok) {
          expect(part.record.items).toEqual(full.record.items.slice(0, part.record.items.length));
          expect(part.record.items.length).toBeLessThan(full.record.items.length);
        } else {
          expect(part.error.offset).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('out-of-step streams are errors: continuation without start, unknown pid, skipped sample', () => {
    const enc = new Encoder(1024);
    const st = (mono: number, procs: Proc[] | null): State => ({ monoUs: mono, sys: new Array(SYS_N).fill(0), irqs: [], procs });
    const p1: Proc = { pid: 7, ppid: 1, state: 'S', utime: 1, stime: 2, startTicks: 3, vszKb: 10, rssKb: 4, threads: 1, uid: 0, comm: 'x) y (z', cmdline: 'x', exe: '/bin/x' };
    const r0 = enc.encode(st(1, [p1]));
    const r1 = enc.encode(st(2, [{ ...p1, utime: 5 }]));
    const r2 = enc.encode(st(3, null));
    // A delta for a pid the assembler never saw (it missed the full scan).
    const a = new SampleAssembler();
    expect(a.push(payload(Buffer.from([RecordFlag.FIRST | RecordFlag.LAST, 0, ...new Array(20).fill(0)]))).ok).toBe(true);
    const bad = a.push(payload(r1[0]!));
    expect(bad.ok).toBe(false);
    // Skipping a sample.
    const b = new SampleAssembler();
    expect(b.push(payload(r0[0]!)).ok).toBe(true);
    const skip = b.push(payload(r2[0]!));
    expect(skip.ok || skip.error.message).toMatch(/sample 2 where 1 was due/);
    // A continuation with no start.
    expect(new SampleAssembler().push(payload(Buffer.from([0, 0]))).ok).toBe(false);
    // A record length that runs past the payload, and an empty payload.
    expect(new SampleAssembler().push(Buffer.from([5, 3, 0])).ok).toBe(false);
    expect(new SampleAssembler().push(Buffer.alloc(0)).ok).toBe(false);
    // Once failed, it stays failed (later deltas would apply to a wrong base).
    expect(b.push(payload(r1[0]!)).ok).toBe(false);
  });

  it('decodes a record byte by byte as the spec example shows (in its payload: length 0x31 first)', () => {
    // Spec example: first record of a stream, one interrupt line, one process.
    const rec = Buffer.from([
      0x03, 0x00, // FIRST|LAST, seq 0
      0x80, 0x89, 0x7a, // monoUs zz(1_000_000) = 2_000_000
      0x14, 0, 0x28, 0x0a, 0, 0, 0, 0, // cpu: user 10, nice 0, system 20, idle 5, …
      0xb4, 0x0a, 0x54, 0x02, 0, // ctxt 666, forks 42, running 1, blocked 0
      0xf0, 0xfe, 0x06, 0, 0, 0, 0, 0, 0, // MemTotal 57272, the rest 0
      0x01, 0x01, // IRQ_ROWS 1
      0x02, 0x00, 0x02, 0x34, 0x32, 0x04, 0x6f, 0x73, 0x74, 0x30, // IRQ_NAME row 0 "42" "ost0"
      0x03, 0x00, 0xec, 0x04, // IRQ_COUNT row 0 +310
      0x04, 0x01, // SCAN FULL
      0x06, 0x01, 0x03, 0x53, // PROC pid 1, NEW|STATE, 'S'
    ]);
    const a = new SampleAssembler();
    const r = a.push(payload(rec));
    if (!r.ok) throw new Error(r.error.message);
    expect(payload(rec)[0]).toBe(0x31);
    expect(r.samples).toHaveLength(1);
    const s = r.samples[0]!;
    expect(s.monoUs).toBe(1_000_000);
    expect(s.cpu).toMatchObject({ user: 10, nice: 0, system: 20, idle: 5 });
    expect([s.ctxt, s.forks, s.procsRunning, s.procsBlocked]).toEqual([666, 42, 1, 0]);
    expect(s.mem.totalKb).toBe(57272);
    expect([...s.irqs]).toEqual([['42', 310]]);
    expect(s.procs!.get(1)).toMatchObject({ pid: 1, state: 'S', kernelThread: true });
  });
});
