/**
 * Monitor samples as typed columns (one Float64Array per plotted quantity), filled straight from
 * the `monitor.samples` events and read by uPlot without copying: React never holds a point.
 *
 * Storage is `capacity + slack` long; the live window is `[start, start + size)`. Appending past
 * the end moves the window back to 0 once per `slack` appends (amortised O(1) per point), and a
 * full buffer evicts its oldest point, so `column()` is always one contiguous subarray.
 */
import type { MonitorPoint } from '../../../../src-shared/features/monitor';

export const FIXED_COLUMNS = [
  'cpuUser',
  'cpuSystem',
  'cpuIowait',
  'cpuIrq',
  'cpuSoftirq',
  'memUsed',
  'memCached',
  'memBuffers',
  'memFree',
  'memTotal',
  'qemuCpu',
  'qemuRss',
] as const;
export type FixedColumn = (typeof FIXED_COLUMNS)[number];

/** One hour at 10 Hz. */
export const DEFAULT_CAPACITY = 36_000;

const KIB_PER_MIB = 1024;

export class SampleBuffer {
  readonly capacity: number;
  private readonly storage: number;
  private start = 0;
  private len = 0;
  /** Sample times in seconds (uPlot's time unit). */
  private t: Float64Array;
  private readonly fixed: Record<FixedColumn, Float64Array>;
  private readonly irq = new Map<string, Float64Array>();
  /** Newest accepted time in host ms (exact, for the drawn-latency figure and de-duplication). */
  private lastMs = -Infinity;
  /** Bumped by every change, so a drawer can tell whether it is current. */
  version = 0;
  /** Bumped by clear(): what follows is a new series, not more of the same. */
  generation = 0;

  constructor(capacity = DEFAULT_CAPACITY) {
    if (!(capacity >= 2)) throw new Error(`capacity must be at least 2, not ${capacity}`);
    this.capacity = Math.floor(capacity);
    this.storage = this.capacity + Math.max(1, Math.ceil(this.capacity / 4));
    this.t = new Float64Array(this.storage);
    this.fixed = Object.fromEntries(FIXED_COLUMNS.map((c) => [c, new Float64Array(this.storage)])) as Record<FixedColumn, Float64Array>;
  }

  get size(): number {
    return this.len;
  }

  /** Newest sample time in host ms, or null when empty. */
  get lastTimeMs(): number | null {
    return this.len ? this.lastMs : null;
  }

  /** Oldest sample time in host ms, or null when empty. */
  get firstTimeMs(): number | null {
    return this.len ? this.t[this.start]! * 1000 : null;
  }

  clear(): void {
    this.start = 0;
    this.len = 0;
    this.lastMs = -Infinity;
    this.irq.clear();
    this.version++;
    this.generation++;
  }

  /**
   * Add points in time order; a point not newer than the newest kept one is a duplicate (the
   * backlog and the live events overlap) and is dropped. Returns how many were kept.
   */
  append(points: readonly MonitorPoint[]): number {
    let kept = 0;
    for (const p of points) {
      if (!(p.t > this.lastMs)) continue;
      this.push(p);
      kept++;
    }
    if (kept) this.version++;
    return kept;
  }

  private push(p: MonitorPoint): void {
    if (this.len === this.capacity) {
      this.start++;
      this.len--;
    }
    if (this.start + this.len === this.storage) this.compact();
    const i = this.start + this.len;
    this.t[i] = p.t / 1000;
    const f = this.fixed;
    f.cpuUser[i] = p.cpu.user + p.cpu.nice;
    f.cpuSystem[i] = p.cpu.system;
    f.cpuIowait[i] = p.cpu.iowait;
    f.cpuIrq[i] = p.cpu.irq;
    f.cpuSoftirq[i] = p.cpu.softirq;
    f.memUsed[i] = p.mem.usedKb / KIB_PER_MIB;
    f.memCached[i] = p.mem.cachedKb / KIB_PER_MIB;
    f.memBuffers[i] = p.mem.buffersKb / KIB_PER_MIB;
    f.memFree[i] = p.mem.freeKb / KIB_PER_MIB;
    f.memTotal[i] = p.mem.totalKb / KIB_PER_MIB;
    // No host figure for this sample: NaN draws nothing and ranges skip it.
    f.qemuCpu[i] = p.host ? p.host.qemuCpuPct : NaN;
    f.qemuRss[i] = p.host ? p.host.qemuRssKb / KIB_PER_MIB : NaN;
    for (const [id, col] of this.irq) col[i] = p.irq[id] ?? 0;
    for (const id in p.irq) {
      if (this.irq.has(id)) continue;
      // A line first seen now counted nothing before (the guest lists every line it has).
      const col = new Float64Array(this.storage);
      col[i] = p.irq[id]!;
      this.irq.set(id, col);
    }
    this.len++;
    this.lastMs = p.t;
  }

  private compact(): void {
    const from = this.start;
    const to = this.start + this.len;
    this.t.copyWithin(0, from, to);
    for (const c of FIXED_COLUMNS) this.fixed[c].copyWithin(0, from, to);
    for (const col of this.irq.values()) col.copyWithin(0, from, to);
    this.start = 0;
  }

  /** Sample times, seconds. A view: valid until the next append. */
  times(): Float64Array {
    return this.t.subarray(this.start, this.start + this.len);
  }

  column(name: FixedColumn): Float64Array {
    return this.fixed[name].subarray(this.start, this.start + this.len);
  }

  /** Rates (/s) of one IRQ line; all zero for a line never seen. */
  irqColumn(id: string): Float64Array {
    const col = this.irq.get(id);
    return col ? col.subarray(this.start, this.start + this.len) : new Float64Array(this.len);
  }

  irqIds(): string[] {
    return [...this.irq.keys()];
  }

  /** Mean rate of each IRQ line over the newest `n` samples. */
  irqMeans(n: number): Map<string, number> {
    const out = new Map<string, number>();
    const count = Math.min(n, this.len);
    const from = this.start + this.len - count;
    for (const [id, col] of this.irq) {
      let sum = 0;
      for (let i = from; i < from + count; i++) sum += col[i]!;
      out.set(id, count ? sum / count : 0);
    }
    return out;
  }

  /** Index (into the views) of the last sample at or before `ms`; -1 when none. */
  indexAtOrBefore(ms: number): number {
    const s = ms / 1000;
    let lo = 0;
    let hi = this.len - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.t[this.start + mid]! <= s) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
