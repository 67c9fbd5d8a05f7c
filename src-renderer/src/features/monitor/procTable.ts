/** Sorting, filtering and the visible slice of the top table. Pure. */
import type { ProcRow } from '../../../../src-shared/features/monitor';

export type SortKey = 'pid' | 'user' | 'state' | 'cpuPct' | 'rssKb' | 'vszKb' | 'threads' | 'cmdline' | 'exe';
export type SortDir = 'asc' | 'desc';
export interface SortSpec {
  key: SortKey;
  dir: SortDir;
}

export const DEFAULT_SORT: SortSpec = { key: 'cpuPct', dir: 'desc' };

const NUMERIC: ReadonlySet<SortKey> = new Set(['pid', 'cpuPct', 'rssKb', 'vszKb', 'threads']);

/** Click on a header: the same column flips; another starts biggest-first (numbers) or A→Z (text). */
export function toggleSort(prev: SortSpec, key: SortKey): SortSpec {
  if (prev.key === key) return { key, dir: prev.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: NUMERIC.has(key) ? 'desc' : 'asc' };
}

/** What the Command column shows: the arguments, or `[comm]` like ps for kernel threads. */
export function commandText(r: ProcRow): string {
  return r.cmdline || `[${r.comm}]`;
}

function sortValue(r: ProcRow, key: SortKey): number | string {
  if (key === 'cmdline') return commandText(r);
  return r[key];
}

/** Sorted copy; ties go by pid so rows do not swap places between snapshots. */
export function sortRows(rows: readonly ProcRow[], spec: SortSpec): ProcRow[] {
  const sign = spec.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, spec.key);
    const vb = sortValue(b, spec.key);
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c !== 0 ? sign * c : a.pid - b.pid;
  });
}

/** Case-insensitive match on command name, command line, pid or user; kernel threads optionally out. */
export function filterRows(rows: readonly ProcRow[], text: string, hideKernelThreads: boolean): ProcRow[] {
  const needle = text.trim().toLowerCase();
  return rows.filter((r) => {
    if (hideKernelThreads && r.kernelThread) return false;
    if (!needle) return true;
    return (
      r.comm.toLowerCase().includes(needle) ||
      r.cmdline.toLowerCase().includes(needle) ||
      String(r.pid).includes(needle) ||
      r.user.toLowerCase().includes(needle)
    );
  });
}

/**
 * Rows to put in the DOM for a scroll position: those in view plus `overscan` either side.
 * `[first, end)` indexes the filtered, sorted rows.
 */
export function visibleSlice(scrollTop: number, viewportPx: number, rowPx: number, count: number, overscan = 8): { first: number; end: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowPx) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + viewportPx) / rowPx) + overscan);
  return { first, end: Math.max(first, end) };
}

/** Kernel state letters → what they mean (title of the State cell). */
export const STATE_NAMES: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk sleep (uninterruptible)',
  T: 'stopped',
  t: 'tracing stop',
  Z: 'zombie',
  I: 'idle kernel thread',
  X: 'dead',
};

/** Which row actions make sense for a process in this state. */
export function rowActions(r: ProcRow): { suspend: boolean; resume: boolean; kill: boolean } {
  // Kernel threads ignore these signals; pid 1 dying takes the guest down.
  const signalable = !r.kernelThread && r.pid > 1 && r.state !== 'Z' && r.state !== 'X';
  return { suspend: signalable && r.state !== 'T', resume: signalable && r.state === 'T', kill: signalable };
}
