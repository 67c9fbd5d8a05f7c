/**
 * Which stretch of time the charts show. Following: the newest `span` seconds (or everything),
 * sliding as samples arrive. Fixed: a range the user zoomed or panned to; new samples do not
 * move it. Times are uPlot's (seconds). Pure.
 */

export type Span = 30 | 60 | 300 | 'all';
export const SPANS: { value: Span; label: string }[] = [
  { value: 30, label: '30 s' },
  { value: 60, label: '1 min' },
  { value: 300, label: '5 min' },
  { value: 'all', label: 'All' },
];

export type ViewMode = { kind: 'follow'; span: Span } | { kind: 'fixed'; min: number; max: number; span: Span };

export type Range = readonly [min: number, max: number];

/** Shortest range a zoom may reach (a few samples at 50 Hz). */
export const MIN_RANGE_S = 0.2;

/** The x range to draw, or null while there is nothing to draw. */
export function xRange(mode: ViewMode, first: number | null, last: number | null): Range | null {
  if (mode.kind === 'fixed') return [mode.min, mode.max];
  if (first === null || last === null) return null;
  if (mode.span === 'all') return last - first >= MIN_RANGE_S ? [first, last] : [last - MIN_RANGE_S, last];
  return [last - mode.span, last];
}

/** Zoom by `factor` (<1 in, >1 out) keeping the time under the pointer where it is. */
export function zoomAround(range: Range, factor: number, anchor: number): Range {
  const [min, max] = range;
  const a = Math.min(max, Math.max(min, anchor));
  let lo = a - (a - min) * factor;
  let hi = a + (max - a) * factor;
  if (hi - lo < MIN_RANGE_S) {
    const mid = (lo + hi) / 2;
    lo = mid - MIN_RANGE_S / 2;
    hi = mid + MIN_RANGE_S / 2;
  }
  return [lo, hi];
}

/** Move by a fraction of the range's width (negative: back in time). */
export function panBy(range: Range, fraction: number): Range {
  const d = (range[1] - range[0]) * fraction;
  return [range[0] + d, range[1] + d];
}

/** A drag-selected range, or null when it is too narrow to be meant as a zoom. */
export function selectedRange(a: number, b: number): Range | null {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return hi - lo >= MIN_RANGE_S / 4 ? [lo, hi] : null;
}
