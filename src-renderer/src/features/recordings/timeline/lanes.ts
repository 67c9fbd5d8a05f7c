/**
 * What the Timeline view draws, derived once per document: key presses paired with their
 * releases as bars (in a few rows, so held modifiers do not hide the keys typed under them),
 * console chunks and markers, each sorted by time for binary search of the visible range.
 */
import type { RecordedEvent, TimelineDoc } from './model';

type ConsoleEvent = Extract<RecordedEvent, { kind: 'console' }>;
type MarkerEvent = Extract<RecordedEvent, { kind: 'marker' }>;

export interface KeyBar {
  start: number;
  end: number;
  key: string;
  /** Event ids: a release without a press (or a press never released) has only one. */
  pressId: string | null;
  releaseId: string | null;
  row: number;
}

export interface LaneIndex {
  /** Sorted by start. */
  bars: KeyBar[];
  /** The longest bar, µs: bars starting that long before the view may still reach into it. */
  longestBarUs: number;
  console: ConsoleEvent[];
  markers: MarkerEvent[];
  /** Event id → its bar (built on first use: hit tests need it, a drag frame does not). */
  barOf(id: string): KeyBar | undefined;
}

export const KEY_ROWS = 3;

const cache = new WeakMap<TimelineDoc, LaneIndex>();

export function laneIndex(doc: TimelineDoc): LaneIndex {
  let idx = cache.get(doc);
  if (!idx) {
    idx = buildLaneIndex(doc);
    cache.set(doc, idx);
  }
  return idx;
}

export function buildLaneIndex(doc: TimelineDoc): LaneIndex {
  const bars: KeyBar[] = [];
  const consoleEvents: ConsoleEvent[] = [];
  const markers: MarkerEvent[] = [];
  const open = new Map<string, KeyBar>();
  const end = doc.events.length ? doc.events[doc.events.length - 1]!.t : 0;
  for (const e of doc.events) {
    if (e.kind === 'console') consoleEvents.push(e);
    else if (e.kind === 'marker') markers.push(e);
    else if (e.down) {
      // A second press without a release (auto-repeat): the first bar ends here.
      const prev = open.get(e.key);
      if (prev) prev.end = e.t;
      const bar: KeyBar = { start: e.t, end: e.t, key: e.key, pressId: e.id, releaseId: null, row: 0 };
      open.set(e.key, bar);
      bars.push(bar);
    } else {
      const bar = open.get(e.key);
      if (bar && bar.releaseId === null) {
        bar.end = e.t;
        bar.releaseId = e.id;
        open.delete(e.key);
      } else bars.push({ start: e.t, end: e.t, key: e.key, pressId: null, releaseId: e.id, row: 0 });
    }
  }
  // Presses never released reach to the end of the recording.
  for (const bar of open.values()) if (bar.releaseId === null) bar.end = Math.max(bar.end, end);
  // Bars were made at their start events, so they are already sorted by start.
  const rowEnd = new Array<number>(KEY_ROWS).fill(-Infinity);
  let longest = 0;
  for (const bar of bars) {
    let row = 0;
    let earliest = 0;
    for (; row < KEY_ROWS; row++) {
      if (rowEnd[row]! < bar.start) break;
      if (rowEnd[row]! < rowEnd[earliest]!) earliest = row;
    }
    // All rows busy: share the one that frees first.
    if (row === KEY_ROWS) row = earliest;
    bar.row = row;
    rowEnd[row] = Math.max(rowEnd[row]!, bar.end);
    if (bar.end - bar.start > longest) longest = bar.end - bar.start;
  }
  let byId: Map<string, KeyBar> | null = null;
  const barOf = (id: string) => {
    if (!byId) {
      byId = new Map();
      for (const bar of bars) {
        if (bar.pressId) byId.set(bar.pressId, bar);
        if (bar.releaseId) byId.set(bar.releaseId, bar);
      }
    }
    return byId.get(id);
  };
  return { bars, longestBarUs: longest, console: consoleEvents, markers, barOf };
}

/** First index whose `key(x)` ≥ v in an array sorted by it. */
export function firstAtOrAfter<T>(arr: readonly T[], v: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(arr[mid]!) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Ids of a bar's events (both ends of a key stroke). */
export function barIds(bar: KeyBar): string[] {
  return [bar.pressId, bar.releaseId].filter((x): x is string => x !== null);
}
