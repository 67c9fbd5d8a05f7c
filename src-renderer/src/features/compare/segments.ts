/**
 * The stretches of a replay the Compare table times. Pure.
 *
 * A "chain" tiles the run from time zero to its end without gaps: between consecutive guest
 * markers (start → first marker → … → last marker → end), or, when no compared report has a
 * marker, between consecutive console events and every 10th key press, so the table is never
 * empty. "Input → response" rows are extra (they overlap the chain): from each replayed input
 * (a console write, a key press) to the first guest marker at or after it.
 *
 * Keys identify a segment across replays of the same recording (event ids, marker text with its
 * occurrence number), so rows line up by meaning, not by position.
 */
import type { ReplayEventResult, ReplayReport } from '../../../../src-shared/features/replay';

export type SegmentKind = 'chain' | 'response';
export type SegmentMode = 'markers' | 'events';

export interface Segment {
  key: string;
  label: string;
  kind: SegmentKind;
  startUs: number;
  endUs: number;
}

/** Every 10th key press is a boundary when there are no markers (typing alone has no console event). */
export const KEY_STRIDE = 10;

/** When the event reached the guest: the guest's own stamp when known, else when injection returned. */
export function eventTimeUs(e: ReplayEventResult): number | null {
  return e.guestUs ?? e.injectedUs;
}

/** Key presses only: a release (label "x ↑") is the end of the same input, not a new one. */
export function isKeyPress(e: ReplayEventResult): boolean {
  return e.kind === 'key' && !e.label.endsWith('↑');
}

const isInput = (e: ReplayEventResult) => e.kind === 'console' || isKeyPress(e);

/**
 * Where the run ends, µs from time zero: the host's end time, pushed out to the last thing seen
 * (a marker or event after `endedAt` still belongs to the run); for a run without an end (cancelled
 * before it started, still running) the last thing seen.
 */
export function runEndUs(report: ReplayReport): number {
  const { startedAt, endedAt } = report.replay;
  let end = startedAt !== null && endedAt !== null ? (endedAt - startedAt) * 1000 : 0;
  for (const e of report.events) {
    const t = eventTimeUs(e);
    if (t !== null && t > end) end = t;
  }
  for (const m of report.markers) if (m.us > end) end = m.us;
  return Math.max(0, end);
}

interface Boundary {
  key: string;
  label: string;
  us: number;
}

/** Marker boundaries in time order, keyed "text#n" (the n-th time this text was seen). */
function markerBoundaries(report: ReplayReport, endUs: number): Boundary[] {
  const seen = new Map<string, number>();
  return [...report.markers]
    .filter((m) => m.us >= 0 && m.us <= endUs)
    .sort((a, b) => a.us - b.us)
    .map((m) => {
      const n = (seen.get(m.text) ?? 0) + 1;
      seen.set(m.text, n);
      return { key: `marker:${m.text}#${n}`, label: n > 1 ? `${m.text} (${n})` : m.text, us: m.us };
    });
}

/** Console events and every 10th key press that were delivered, in time order. */
function eventBoundaries(report: ReplayReport, endUs: number): Boundary[] {
  const out: Boundary[] = [];
  let presses = 0;
  for (const e of report.events) {
    const press = isKeyPress(e);
    if (press) presses++;
    const boundary = e.kind === 'console' || (press && presses % KEY_STRIDE === 0);
    const t = eventTimeUs(e);
    if (!boundary || t === null || t < 0 || t > endUs) continue;
    out.push({ key: `event:${e.eventId}`, label: press ? `key ${presses}: ${e.label}` : e.label, us: t });
  }
  return out.sort((a, b) => a.us - b.us);
}

function chain(boundaries: Boundary[], endUs: number): Segment[] {
  const points: Boundary[] = [{ key: 'start', label: 'start', us: 0 }, ...boundaries, { key: 'end', label: 'end', us: endUs }];
  const out: Segment[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    out.push({ key: `chain:${a.key}→${b.key}`, label: `${a.label} → ${b.label}`, kind: 'chain', startUs: a.us, endUs: b.us });
  }
  return out;
}

/** From each delivered input to the first marker at or after it. */
function responses(report: ReplayReport, markers: Boundary[]): Segment[] {
  const out: Segment[] = [];
  for (const e of report.events) {
    const t = eventTimeUs(e);
    if (!isInput(e) || t === null) continue;
    const m = markers.find((b) => b.us >= t);
    if (!m) continue;
    out.push({ key: `response:${e.eventId}`, label: `${e.label} → ${m.label}`, kind: 'response', startUs: t, endUs: m.us });
  }
  return out.sort((a, b) => a.startUs - b.startUs);
}

/** Markers when any of the compared reports has one (all then share the same rows), else events. */
export function segmentMode(reports: readonly ReplayReport[]): SegmentMode {
  return reports.some((r) => r.markers.length > 0) ? 'markers' : 'events';
}

/** The chain of `mode` (time order), then the input → response rows (time order). */
export function segmentsOf(report: ReplayReport, mode: SegmentMode): Segment[] {
  const end = runEndUs(report);
  if (mode === 'events') return chain(eventBoundaries(report, end), end);
  const markers = markerBoundaries(report, end);
  return [...chain(markers, end), ...responses(report, markers)];
}
