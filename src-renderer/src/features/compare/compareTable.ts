/**
 * The Compare table: one row per segment (matched across replays by key), one value per replay,
 * and each replay's difference to the baseline — the first replay that finished. Replays that did
 * not finish (failed, cancelled, still running) keep their column but get no Δ and never become
 * the baseline: their timings say how far they got, not how fast. Pure.
 */
import type { MonitorPoint } from '../../../../src-shared/features/monitor';
import type { ReplayReport } from '../../../../src-shared/features/replay';
import { runEndUs, segmentMode, segmentsOf, type SegmentKind, type SegmentMode } from './segments';

export type RowUnit = 'ms' | 'pct' | 'mib';

/** A difference worth a highlight: more than 10 % of the baseline and more than this, in the row's unit. */
export const HIGHLIGHT_REL = 0.1;
export const HIGHLIGHT_FLOOR: Record<RowUnit, number> = { ms: 5, pct: 5, mib: 4 };

export interface Delta {
  /** value − baseline, in the row's unit. */
  abs: number;
  /** abs / baseline; null when the baseline is 0. */
  rel: number | null;
  highlight: boolean;
}

export interface TableRow {
  key: string;
  label: string;
  kind: SegmentKind | 'summary';
  unit: RowUnit;
  /** Decimals shown: 1 for durations, 2 for the sub-millisecond error figures. */
  digits: number;
  /** Per replay, in the order picked; null where the replay has no such segment (or figure). */
  values: (number | null)[];
  /** Per replay; null for the baseline, replays excluded from Δ, and missing values. */
  deltas: (Delta | null)[];
}

export interface CompareInput {
  report: ReplayReport | null;
  /** Samples of the replay's window (may be empty: the session was not monitored). */
  points: readonly MonitorPoint[];
  /** Finished (`done`) and loaded: its numbers count. */
  usable: boolean;
}

export interface CompareTableData {
  mode: SegmentMode;
  /** Index of the baseline replay, or null when no replay is usable. */
  baseline: number | null;
  /** Per replay: whether it gets a Δ column (usable and not the baseline). */
  deltaColumns: boolean[];
  rows: TableRow[];
  summary: TableRow[];
}

export function deltaOf(value: number | null, base: number | null, unit: RowUnit): Delta | null {
  if (value === null || base === null) return null;
  const abs = value - base;
  const rel = base === 0 ? null : abs / Math.abs(base);
  const bigEnough = rel === null ? abs !== 0 : Math.abs(rel) > HIGHLIGHT_REL;
  return { abs, rel, highlight: bigEnough && Math.abs(abs) > HIGHLIGHT_FLOOR[unit] };
}

/** Samples taken between the replay's time zero and its end. */
function duringRun(report: ReplayReport, points: readonly MonitorPoint[]): MonitorPoint[] {
  const t0 = report.replay.startedAt;
  if (t0 === null) return [];
  const t1 = t0 + runEndUs(report) / 1000;
  return points.filter((p) => p.t >= t0 && p.t <= t1);
}

/** Mean guest CPU (user + nice + system, as the CPU chart draws it) over the run, %. */
export function meanCpuPct(report: ReplayReport, points: readonly MonitorPoint[]): number | null {
  const inRun = duringRun(report, points);
  if (!inRun.length) return null;
  return inRun.reduce((s, p) => s + p.cpu.user + p.cpu.nice + p.cpu.system, 0) / inRun.length;
}

/** Highest guest used memory over the run, MiB. */
export function peakUsedMiB(report: ReplayReport, points: readonly MonitorPoint[]): number | null {
  const inRun = duringRun(report, points);
  if (!inRun.length) return null;
  return inRun.reduce((m, p) => Math.max(m, p.mem.usedKb), -Infinity) / 1024;
}

const usToMs = (us: number | null) => (us === null ? null : us / 1000);

function withDeltas(row: Omit<TableRow, 'deltas'>, inputs: readonly CompareInput[], baseline: number | null): TableRow {
  const base = baseline === null ? null : row.values[baseline] ?? null;
  const deltas = row.values.map((v, i) => (i === baseline || !inputs[i]!.usable ? null : deltaOf(v, base, row.unit)));
  return { ...row, deltas };
}

export function compareTable(inputs: readonly CompareInput[]): CompareTableData {
  const baselineIdx = inputs.findIndex((x) => x.usable && x.report);
  const baseline = baselineIdx < 0 ? null : baselineIdx;
  const reports = inputs.map((x) => x.report);
  const mode = segmentMode(reports.filter((r): r is ReplayReport => r !== null));

  // Rows in the order they first appear, the baseline's first: its run sets the story.
  const order = baseline === null ? inputs.map((_, i) => i) : [baseline, ...inputs.map((_, i) => i).filter((i) => i !== baseline)];
  const rowsByKey = new Map<string, Omit<TableRow, 'deltas'> & { at: number }>();
  for (const i of order) {
    const report = reports[i];
    if (!report) continue;
    for (const s of segmentsOf(report, mode)) {
      let row = rowsByKey.get(s.key);
      if (!row) {
        row = { key: s.key, label: s.label, kind: s.kind, unit: 'ms', digits: 1, values: inputs.map(() => null), at: s.startUs };
        rowsByKey.set(s.key, row);
      }
      row.values[i] = (s.endUs - s.startUs) / 1000;
    }
  }
  const kindRank = (k: TableRow['kind']) => (k === 'chain' ? 0 : 1);
  const rows = [...rowsByKey.values()]
    .map((r, n) => ({ r, n }))
    .sort((a, b) => kindRank(a.r.kind) - kindRank(b.r.kind) || a.r.at - b.r.at || a.n - b.n)
    .map(({ r: { at: _at, ...row } }) => withDeltas(row, inputs, baseline));

  const figure = (key: string, label: string, unit: RowUnit, of: (r: ReplayReport, x: CompareInput) => number | null, digits = 1): TableRow =>
    withDeltas({ key, label, kind: 'summary', unit, digits, values: inputs.map((x) => (x.report ? of(x.report, x) : null)) }, inputs, baseline);
  const summary = [
    figure('total', 'total duration', 'ms', (r) => runEndUs(r) / 1000),
    figure('cpu-mean', 'mean CPU (user + system)', 'pct', (r, x) => meanCpuPct(r, x.points)),
    figure('mem-peak', 'peak used memory', 'mib', (r, x) => peakUsedMiB(r, x.points)),
    figure('inject-p99', 'inject error p99', 'ms', (r) => usToMs(r.stats.injectErrUsP99), 2),
    figure('guest-p99', 'guest error p99', 'ms', (r) => usToMs(r.stats.guestErrUsP99), 2),
  ];
  const deltaColumns = inputs.map((x, i) => baseline !== null && i !== baseline && x.usable);
  return { mode, baseline, deltaColumns, rows, summary };
}

const UNIT_TEXT: Record<RowUnit, string> = { ms: 'ms', pct: '%', mib: 'MiB' };

export function unitText(unit: RowUnit): string {
  return UNIT_TEXT[unit];
}

/** `digits` decimals, true minus sign for the screen. */
export function formatValue(v: number | null, digits = 1): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return v.toFixed(digits).replace('-', '−');
}

/** "+12.3 (+8.1 %)", "−0.4 (−0.2 %)", "+3.0" when the baseline is 0. */
export function formatDelta(d: Delta | null, digits = 1): string {
  if (!d) return '';
  // The sign of what is shown: −0.04 prints as ±0.0, not −0.0.
  const signed = (x: number, n = digits) => {
    const text = Math.abs(x).toFixed(n);
    return `${Number(text) === 0 ? '±' : x > 0 ? '+' : '−'}${text}`;
  };
  const abs = signed(d.abs);
  return d.rel === null ? abs : `${abs} (${signed(d.rel * 100, 1)} %)`;
}
