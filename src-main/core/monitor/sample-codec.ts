/**
 * Decoder of the agent's monitor records (docs/agent-protocol.md, "Monitor"; the encoder is
 * resources/guest/agent/monitor.c) and the assembler that turns a stream of them into
 * GuestSample objects (./guest-sample.ts).
 *
 * - splitPayload() / decodeRecord() are pure: a STREAM kind-4 payload (after the kind byte)
 *   holds one or more length-prefixed records; each decodes to a typed record, and anything
 *   malformed to a typed error (they never throw).
 * - SampleAssembler keeps the state the agent's deltas are relative to (the previous sample's
 *   counters, the interrupt rows, the process table) and applies records in order; a sample
 *   may span several records (a large process scan). Any inconsistency (a continuation without
 *   its start, a delta for an unknown pid, …) is an error: the stream is out of step and must
 *   be restarted, since every later delta would be applied to the wrong base.
 * - Emitted samples are immutable snapshots: maps and process objects are fresh or shared but
 *   never modified afterwards, so a consumer may keep the previous sample to compute rates.
 */
import type { GuestProc, GuestSample } from './guest-sample';

export const RecordFlag = { FIRST: 1, LAST: 2 } as const;
export const ItemTag = { IRQ_ROWS: 1, IRQ_NAME: 2, IRQ_COUNT: 3, SCAN: 4, GONE: 5, PROC: 6 } as const;
export const ScanFlag = { FULL: 1 } as const;
/** PROC item field mask, in the order the fields follow on the wire. */
export const ProcField = {
  NEW: 1 << 0,
  STATE: 1 << 1,
  PPID: 1 << 2,
  UTIME: 1 << 3,
  STIME: 1 << 4,
  START: 1 << 5,
  VSZ: 1 << 6,
  RSS: 1 << 7,
  THREADS: 1 << 8,
  UID: 1 << 9,
  COMM: 1 << 10,
  CMDLINE: 1 << 11,
  EXE: 1 << 12,
} as const;
const PROC_FIELD_ALL = (1 << 13) - 1;

/** The numeric process fields, in wire order (mask bit PPID << i). */
export const PROC_NUMBERS = ['ppid', 'utime', 'stime', 'startTicks', 'vszKb', 'rssKb', 'threads', 'uid'] as const;
/** The system block of a FIRST record, in wire order: zigzag deltas against the previous sample. */
export const SYSTEM_FIELDS = [
  'monoUs',
  'cpu.user', 'cpu.nice', 'cpu.system', 'cpu.idle', 'cpu.iowait', 'cpu.irq', 'cpu.softirq', 'cpu.steal',
  'ctxt', 'forks', 'procsRunning', 'procsBlocked',
  'mem.totalKb', 'mem.freeKb', 'mem.availableKb', 'mem.buffersKb', 'mem.cachedKb', 'mem.shmemKb', 'mem.slabKb',
] as const;

/** Strings the agent sends are at most this long (it cuts them); longer is malformed. */
const MAX_STRING = 4096;
/** More interrupt rows than the agent ever keeps means a garbled number. */
export const MAX_IRQ_ROWS = 1024;

export type ProcNumbers = Partial<Record<(typeof PROC_NUMBERS)[number], number>>;

export type Item =
  | { tag: 'irqRows'; rows: number }
  | { tag: 'irqName'; row: number; id: string; desc: string }
  | { tag: 'irqCount'; row: number; delta: number }
  | { tag: 'scan'; full: boolean }
  | { tag: 'gone'; pid: number }
  | { tag: 'proc'; pid: number; isNew: boolean; state?: string; deltas: ProcNumbers; comm?: string; cmdline?: string; exe?: string };

export interface MonitorRecord {
  first: boolean;
  last: boolean;
  seq: number;
  /** FIRST records: zigzag deltas of SYSTEM_FIELDS, in that order. */
  system: number[] | null;
  items: Item[];
}

export class CodecError {
  constructor(
    readonly message: string,
    /** Byte offset in the record where decoding stopped (-1: not a decoding error). */
    readonly offset: number,
  ) {}
}

export type DecodeResult = { ok: true; record: MonitorRecord } | { ok: false; error: CodecError };

class Reader {
  i = 0;
  constructor(readonly b: Uint8Array) {}
  more(): boolean {
    return this.i < this.b.length;
  }
  u8(): number {
    if (this.i >= this.b.length) throw new CodecError('truncated', this.i);
    return this.b[this.i++]!;
  }
  /** LEB128, at most 2^53 − 1 (a JS number holds it exactly; no /proc value comes near). */
  uv(): number {
    const at = this.i;
    let v = 0;
    let scale = 1;
    for (let k = 0; k < 8; k++) {
      const c = this.u8();
      v += (c & 0x7f) * scale;
      if (!(c & 0x80)) {
        if (v > Number.MAX_SAFE_INTEGER) break;
        return v;
      }
      scale *= 128;
    }
    throw new CodecError('varint too large', at);
  }
  zz(): number {
    const u = this.uv();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  str(): string {
    const at = this.i;
    const n = this.uv();
    if (n > MAX_STRING) throw new CodecError(`string of ${n} bytes`, at);
    if (this.i + n > this.b.length) throw new CodecError('truncated string', at);
    const s = Buffer.from(this.b.buffer, this.b.byteOffset + this.i, n).toString('utf8');
    this.i += n;
    return s;
  }
}

function decodeItem(r: Reader): Item {
  const at = r.i;
  const tag = r.u8();
  switch (tag) {
    case ItemTag.IRQ_ROWS: {
      const rows = r.uv();
      if (rows > MAX_IRQ_ROWS) throw new CodecError(`${rows} interrupt rows`, at);
      return { tag: 'irqRows', rows };
    }
    case ItemTag.IRQ_NAME: {
      const row = r.uv();
      if (row >= MAX_IRQ_ROWS) throw new CodecError(`interrupt row ${row}`, at);
      return { tag: 'irqName', row, id: r.str(), desc: r.str() };
    }
    case ItemTag.IRQ_COUNT: {
      const row = r.uv();
      if (row >= MAX_IRQ_ROWS) throw new CodecError(`interrupt row ${row}`, at);
      return { tag: 'irqCount', row, delta: r.zz() };
    }
    case ItemTag.SCAN: {
      const f = r.u8();
      if (f & ~ScanFlag.FULL) throw new CodecError(`scan flags ${f}`, at);
      return { tag: 'scan', full: (f & ScanFlag.FULL) !== 0 };
    }
    case ItemTag.GONE:
      return { tag: 'gone', pid: r.uv() };
    case ItemTag.PROC: {
      const pid = r.uv();
      const mask = r.uv();
      if (mask & ~PROC_FIELD_ALL) throw new CodecError(`process field mask ${mask}`, at);
      const it: Extract<Item, { tag: 'proc' }> = { tag: 'proc', pid, isNew: (mask & ProcField.NEW) !== 0, deltas: {} };
      if (mask & ProcField.STATE) it.state = String.fromCharCode(r.u8());
      PROC_NUMBERS.forEach((k, i) => {
        if (mask & (ProcField.PPID << i)) it.deltas[k] = r.zz();
      });
      if (mask & ProcField.COMM) it.comm = r.str();
      if (mask & ProcField.CMDLINE) it.cmdline = r.str();
      if (mask & ProcField.EXE) it.exe = r.str();
      return it;
    }
  }
  throw new CodecError(`unknown item tag ${tag}`, at);
}

/** Decode one record (the STREAM payload after its kind byte). Never throws. */
export function decodeRecord(data: Uint8Array): DecodeResult {
  const r = new Reader(data);
  try {
    const flags = r.u8();
    if (flags & ~(RecordFlag.FIRST | RecordFlag.LAST)) throw new CodecError(`record flags ${flags}`, 0);
    const seq = r.uv();
    const first = (flags & RecordFlag.FIRST) !== 0;
    const system = first ? SYSTEM_FIELDS.map(() => r.zz()) : null;
    const items: Item[] = [];
    while (r.more()) items.push(decodeItem(r));
    return { ok: true, record: { first, last: (flags & RecordFlag.LAST) !== 0, seq, system, items } };
  } catch (err) {
    if (err instanceof CodecError) return { ok: false, error: err };
    return { ok: false, error: new CodecError(`decoder failure: ${(err as Error).message}`, r.i) };
  }
}

/** The records of one STREAM payload: `uv length + record`, repeated to the end. */
export function splitPayload(payload: Uint8Array): { ok: true; records: Uint8Array[] } | { ok: false; error: CodecError } {
  const r = new Reader(payload);
  const records: Uint8Array[] = [];
  try {
    if (!payload.length) throw new CodecError('empty payload', 0);
    while (r.more()) {
      const at = r.i;
      const n = r.uv();
      if (n === 0 || r.i + n > payload.length) throw new CodecError(`record of ${n} bytes at ${at} does not fit the payload`, at);
      records.push(payload.subarray(r.i, r.i + n));
      r.i += n;
    }
    return { ok: true, records };
  } catch (err) {
    return { ok: false, error: err instanceof CodecError ? err : new CodecError(String(err), r.i) };
  }
}

export type AssembleResult = { ok: true; samples: GuestSample[] } | { ok: false; error: CodecError };
export type ApplyResult = { ok: true; sample: GuestSample | null } | { ok: false; error: CodecError };

interface IrqRow {
  id: string;
  desc: string;
  count: number;
}

const EMPTY_PROC = (pid: number): GuestProc => ({
  pid,
  ppid: 0,
  state: '',
  utime: 0,
  stime: 0,
  startTicks: 0,
  vszKb: 0,
  rssKb: 0,
  threads: 0,
  uid: 0,
  comm: '',
  cmdline: '',
  exe: '',
  kernelThread: true,
});

/** Applies records in stream order; yields a GuestSample on each record that ends a sample. */
export class SampleAssembler {
  private sys: number[] = SYSTEM_FIELDS.map(() => 0);
  private irqRows: IrqRow[] = [];
  private procs = new Map<number, GuestProc>();
  /** The sample being assembled (its FIRST record came, its LAST not yet). */
  private open: { seq: number; irqNames: Map<string, string>; scan: boolean; procs: Map<number, GuestProc> | null } | null = null;
  private nextSeq = 0;
  private failed: CodecError | null = null;

  /** Decode and apply one STREAM payload; returns the samples it completed. After an error
   * the assembler stays failed. */
  push(payload: Uint8Array): AssembleResult {
    if (this.failed) return { ok: false, error: this.failed };
    const split = splitPayload(payload);
    if (!split.ok) return this.fail(split.error);
    const samples: GuestSample[] = [];
    for (const data of split.records) {
      const d = decodeRecord(data);
      if (!d.ok) return this.fail(d.error);
      const a = this.apply(d.record);
      if (!a.ok) return a;
      if (a.sample) samples.push(a.sample);
    }
    return { ok: true, samples };
  }

  apply(rec: MonitorRecord): ApplyResult {
    if (this.failed) return { ok: false, error: this.failed };
    if (rec.first) {
      if (this.open) return this.fail(new CodecError(`sample ${rec.seq} starts while sample ${this.open.seq} is incomplete`, -1));
      if (rec.seq !== this.nextSeq) return this.fail(new CodecError(`sample ${rec.seq} where ${this.nextSeq} was due`, -1));
      const sys = rec.system!;
      const next = this.sys.map((v, i) => v + sys[i]!);
      if (next.some((v) => v < 0 || !Number.isSafeInteger(v))) return this.fail(new CodecError(`sample ${rec.seq}: a counter went out of range`, -1));
      this.sys = next;
      this.open = { seq: rec.seq, irqNames: new Map(), scan: false, procs: null };
    } else if (!this.open || this.open.seq !== rec.seq) {
      return this.fail(new CodecError(`continuation of sample ${rec.seq} without its start`, -1));
    }
    const o = this.open;
    for (const it of rec.items) {
      const err = this.applyItem(o, it);
      if (err) return this.fail(new CodecError(`sample ${rec.seq}: ${err}`, -1));
    }
    if (!rec.last) return { ok: true, sample: null };
    this.open = null;
    this.nextSeq = rec.seq + 1;
    if (o.procs) this.procs = o.procs;
    return { ok: true, sample: this.snapshot(o) };
  }

  private applyItem(o: NonNullable<SampleAssembler['open']>, it: Item): string | null {
    switch (it.tag) {
      case 'irqRows':
        this.irqRows = this.irqRows.slice(0, it.rows);
        return null;
      case 'irqName':
        while (this.irqRows.length <= it.row) this.irqRows.push({ id: '', desc: '', count: 0 });
        this.irqRows[it.row] = { id: it.id, desc: it.desc, count: 0 };
        o.irqNames.set(it.id, it.desc);
        return null;
      case 'irqCount': {
        const row = this.irqRows[it.row];
        if (!row) return `count for unknown interrupt row ${it.row}`;
        const count = row.count + it.delta;
        if (count < 0 || !Number.isSafeInteger(count)) return `interrupt row ${it.row} count ${count}`;
        this.irqRows[it.row] = { ...row, count };
        return null;
      }
      case 'scan':
        if (o.procs) return 'two scans in one sample';
        o.scan = true;
        // Copy on write: the previous sample's map is the consumer's.
        o.procs = it.full ? new Map() : new Map(this.procs);
        return null;
      case 'gone':
        if (!o.procs) return 'a gone pid outside a scan';
        if (!o.procs.delete(it.pid)) return `gone pid ${it.pid} is unknown`;
        return null;
      case 'proc': {
        if (!o.procs) return 'a process outside a scan';
        const base = it.isNew ? EMPTY_PROC(it.pid) : o.procs.get(it.pid);
        if (!base) return `delta for unknown pid ${it.pid}`;
        const p: GuestProc = { ...base };
        if (it.state !== undefined) p.state = it.state;
        for (const k of PROC_NUMBERS) {
          const d = it.deltas[k];
          if (d === undefined) continue;
          const v = p[k] + d;
          if (v < 0 || !Number.isSafeInteger(v)) return `pid ${it.pid} ${k} ${v}`;
          p[k] = v;
        }
        if (it.comm !== undefined) p.comm = it.comm;
        if (it.cmdline !== undefined) p.cmdline = it.cmdline;
        if (it.exe !== undefined) p.exe = it.exe;
        p.kernelThread = p.vszKb === 0 && p.cmdline === '';
        o.procs.set(it.pid, p);
        return null;
      }
    }
  }

  private snapshot(o: NonNullable<SampleAssembler['open']>): GuestSample {
    const s = this.sys;
    const irqs = new Map<string, number>();
    for (const r of this.irqRows) irqs.set(r.id, r.count);
    const sample: GuestSample = {
      seq: o.seq,
      monoUs: s[0]!,
      cpu: { user: s[1]!, nice: s[2]!, system: s[3]!, idle: s[4]!, iowait: s[5]!, irq: s[6]!, softirq: s[7]!, steal: s[8]! },
      ctxt: s[9]!,
      forks: s[10]!,
      procsRunning: s[11]!,
      procsBlocked: s[12]!,
      mem: { totalKb: s[13]!, freeKb: s[14]!, availableKb: s[15]!, buffersKb: s[16]!, cachedKb: s[17]!, shmemKb: s[18]!, slabKb: s[19]! },
      irqs,
      irqNames: o.irqNames,
    };
    if (o.procs) sample.procs = o.procs;
    return sample;
  }

  private fail(e: CodecError): { ok: false; error: CodecError } {
    this.failed = e;
    return { ok: false, error: e };
  }
}
