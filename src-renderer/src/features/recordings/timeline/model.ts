/**
 * The Timeline editor's model, without React or a canvas: a recording's events and speed, the
 * selection, and an undo/redo history in which every edit is an operation applied together
 * with the operation that exactly reverses it.
 *
 * Why primitive operations carry array positions: events with equal times keep their order
 * (a press and its release, a console chunk and a marker), and re-sorting by time alone cannot
 * restore such an order after an undo. Each primitive says where its events end up, and its
 * inverse, computed when it is applied, says where they were.
 */
import type { RecordedEvent } from '../../../../../src-shared/features/recording';

export type { RecordedEvent };
export type EventKind = RecordedEvent['kind'];

/** The part of a recording document the editor changes. `events` is sorted by t; never mutated. */
export interface TimelineDoc {
  readonly speed: number;
  readonly events: readonly RecordedEvent[];
}

/** The format's limit on t (24 h in µs). */
export const MAX_T_US = 24 * 3600 * 1e6;
export const SPEED_MIN = 0.05;
export const SPEED_MAX = 20;
/** Grid choices of the toolbar, µs (0 = off). */
export const GRID_CHOICES_US = [0, 1000, 5000, 10_000, 50_000, 100_000] as const;
/** How long an inserted key is held, µs. */
export const DEFAULT_KEY_HOLD_US = 80_000;

export type EventFields = { key?: string; down?: boolean; data?: string; text?: string };

/** Primitive operations. Positions are indices in the resulting array, ascending. */
export type Op =
  | { kind: 'insert'; items: { index: number; event: RecordedEvent }[] }
  | { kind: 'remove'; ids: string[] }
  /** Give some events new times and new positions (the others keep their relative order). */
  | { kind: 'place'; moves: { id: string; t: number; index: number }[] }
  | { kind: 'patch'; id: string; fields: EventFields }
  | { kind: 'speed'; speed: number };

export class ModelError extends Error {}

function isSorted(events: readonly RecordedEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.t < events[i - 1]!.t) return false;
  return true;
}

/** Apply one primitive operation; returns the new document and the operation that undoes it. */
export function applyOp(doc: TimelineDoc, op: Op): { doc: TimelineDoc; inverse: Op } {
  switch (op.kind) {
    case 'insert': {
      const n = doc.events.length + op.items.length;
      const out: RecordedEvent[] = new Array(n);
      let src = 0;
      let k = 0;
      for (let i = 0; i < n; i++) {
        const item = op.items[k];
        if (item && item.index === i) {
          out[i] = item.event;
          k++;
        } else {
          const e = doc.events[src++];
          if (!e) throw new ModelError('insert: position past the end');
          out[i] = e;
        }
      }
      if (k !== op.items.length || src !== doc.events.length) throw new ModelError('insert: positions out of order');
      if (!isSorted(out)) throw new ModelError('insert: would break the time order');
      return { doc: { speed: doc.speed, events: out }, inverse: { kind: 'remove', ids: op.items.map((it) => it.event.id) } };
    }
    case 'remove': {
      const ids = new Set(op.ids);
      const items: { index: number; event: RecordedEvent }[] = [];
      const out: RecordedEvent[] = [];
      doc.events.forEach((e, index) => {
        if (ids.has(e.id)) items.push({ index, event: e });
        else out.push(e);
      });
      if (items.length !== ids.size) throw new ModelError('remove: unknown event id');
      return { doc: { speed: doc.speed, events: out }, inverse: { kind: 'insert', items } };
    }
    case 'place': {
      const newT = new Map(op.moves.map((m) => [m.id, m.t]));
      const rest: RecordedEvent[] = [];
      const moved: RecordedEvent[] = [];
      const back: { id: string; t: number; index: number }[] = [];
      doc.events.forEach((e, index) => {
        const t = newT.get(e.id);
        if (t === undefined) rest.push(e);
        else {
          back.push({ id: e.id, t: e.t, index });
          moved.push(e.t === t ? e : { ...e, t });
        }
      });
      if (moved.length !== newT.size) throw new ModelError('place: unknown event id');
      // `moved` is in old array order; the op lists final positions in ascending order.
      const byId = new Map(moved.map((e) => [e.id, e]));
      const out: RecordedEvent[] = new Array(doc.events.length);
      let r = 0;
      let k = 0;
      for (let i = 0; i < out.length; i++) {
        const m = op.moves[k];
        if (m && m.index === i) {
          out[i] = byId.get(m.id)!;
          k++;
        } else out[i] = rest[r++]!;
      }
      if (k !== op.moves.length) throw new ModelError('place: positions out of order');
      if (!isSorted(out)) throw new ModelError('place: would break the time order');
      return { doc: { speed: doc.speed, events: out }, inverse: { kind: 'place', moves: back } };
    }
    case 'patch': {
      const i = doc.events.findIndex((e) => e.id === op.id);
      const e = doc.events[i];
      if (!e) throw new ModelError('patch: unknown event id');
      const old: EventFields = {};
      const rec = e as unknown as Record<string, unknown>;
      for (const f of Object.keys(op.fields) as (keyof EventFields)[]) {
        if (!(f in rec)) throw new ModelError(`patch: a ${e.kind} event has no ${f}`);
        (old as Record<string, unknown>)[f] = rec[f];
      }
      const out = doc.events.slice();
      out[i] = { ...e, ...op.fields } as RecordedEvent;
      return { doc: { speed: doc.speed, events: out }, inverse: { kind: 'patch', id: op.id, fields: old } };
    }
    case 'speed':
      return { doc: { speed: op.speed, events: doc.events }, inverse: { kind: 'speed', speed: doc.speed } };
  }
}

/**
 * Merge `moved` (sorted by t, with their new times) into `rest` (sorted): on equal times the
 * events already there come first. Returns the final positions of the moved events.
 */
function mergePositions(rest: readonly RecordedEvent[], moved: readonly { id: string; t: number }[]): { id: string; t: number; index: number }[] {
  const out: { id: string; t: number; index: number }[] = [];
  let r = 0;
  for (let k = 0; k < moved.length; k++) {
    const m = moved[k]!;
    while (r < rest.length && rest[r]!.t <= m.t) r++;
    out.push({ id: m.id, t: m.t, index: r + k });
  }
  return out;
}

/** A `place` op giving the events of `ids` new times; null when nothing would change. */
function retimeOp(doc: TimelineDoc, ids: ReadonlySet<string>, newTime: (e: RecordedEvent) => number): Op | null {
  const rest: RecordedEvent[] = [];
  const moved: { id: string; t: number }[] = [];
  let changed = false;
  for (const e of doc.events) {
    if (!ids.has(e.id)) {
      rest.push(e);
      continue;
    }
    const t = newTime(e);
    if (t !== e.t) changed = true;
    moved.push({ id: e.id, t });
  }
  if (!changed || moved.length === 0) return null;
  // A uniform shift or a rounding keeps the moved events' relative order; a stable sort covers the rest.
  moved.sort((a, b) => a.t - b.t);
  return { kind: 'place', moves: mergePositions(rest, moved) };
}

/** Move events by Δt µs; the shift is clamped so none goes below 0 or past the format's limit. */
export function moveOp(doc: TimelineDoc, ids: ReadonlySet<string>, dtUs: number): Op | null {
  const dt = clampShift(doc, ids, dtUs);
  if (dt === 0) return null;
  return retimeOp(doc, ids, (e) => e.t + dt);
}

/** The shift actually applied to `ids` for a wanted Δt (integer µs, clamped at 0 and the limit). */
export function clampShift(doc: TimelineDoc, ids: ReadonlySet<string>, dtUs: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of doc.events) {
    if (!ids.has(e.id)) continue;
    if (e.t < lo) lo = e.t;
    if (e.t > hi) hi = e.t;
  }
  if (lo === Infinity) return 0;
  const dt = Math.round(dtUs);
  return Math.max(-lo, Math.min(MAX_T_US - hi, dt));
}

/** Round the times of `ids` to the grid (µs); null if the grid is off or nothing moves. */
export function snapOp(doc: TimelineDoc, ids: ReadonlySet<string>, gridUs: number): Op | null {
  if (gridUs <= 0) return null;
  return retimeOp(doc, ids, (e) => Math.min(MAX_T_US - (MAX_T_US % gridUs), Math.round(e.t / gridUs) * gridUs));
}

export function setTimeOp(doc: TimelineDoc, id: string, tUs: number): Op | null {
  const t = Math.max(0, Math.min(MAX_T_US, Math.round(tUs)));
  return retimeOp(doc, new Set([id]), () => t);
}

/** Insert new events (any order; ids must be new): after existing events of the same time. */
export function insertOp(doc: TimelineDoc, events: readonly RecordedEvent[]): Op | null {
  if (events.length === 0) return null;
  const sorted = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
  const pos = mergePositions(doc.events, sorted);
  return { kind: 'insert', items: pos.map((p, k) => ({ index: p.index, event: sorted[k]! })) };
}

export function removeOp(doc: TimelineDoc, ids: ReadonlySet<string>): Op | null {
  const present = doc.events.filter((e) => ids.has(e.id)).map((e) => e.id);
  return present.length ? { kind: 'remove', ids: present } : null;
}

/** `count` ids not used in `doc`: e<N> above the highest e<N> present. */
export function freshIds(doc: TimelineDoc, count: number): string[] {
  let max = 0;
  for (const e of doc.events) {
    const m = /^e(\d{1,15})$/.exec(e.id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return Array.from({ length: count }, (_, k) => `e${max + 1 + k}`);
}

/** The events of a copy, times relative to the earliest (so a paste lands at any time). */
export interface Clip {
  events: RecordedEvent[];
}

export function clipOf(doc: TimelineDoc, ids: ReadonlySet<string>): Clip | null {
  const picked = doc.events.filter((e) => ids.has(e.id));
  if (!picked.length) return null;
  const t0 = picked[0]!.t;
  return { events: picked.map((e) => ({ ...e, t: e.t - t0 })) };
}

export function pasteEvents(doc: TimelineDoc, clip: Clip, atUs: number): RecordedEvent[] {
  const ids = freshIds(doc, clip.events.length);
  const at = Math.max(0, Math.round(atUs));
  return clip.events.map((e, k) => ({ ...e, id: ids[k]!, t: Math.min(MAX_T_US, at + e.t) }));
}

export function keyPairEvents(doc: TimelineDoc, atUs: number, key: string, holdUs = DEFAULT_KEY_HOLD_US): RecordedEvent[] {
  const [down, up] = freshIds(doc, 2) as [string, string];
  const t = Math.max(0, Math.min(MAX_T_US - holdUs, Math.round(atUs)));
  return [
    { id: down, t, kind: 'key', key, down: true },
    { id: up, t: t + Math.max(1, Math.round(holdUs)), kind: 'key', key, down: false },
  ];
}

export function durationUs(doc: TimelineDoc): number {
  return doc.events.length ? doc.events[doc.events.length - 1]!.t : 0;
}

/** Index of the first event with t ≥ `t` (events sorted by t). */
export function lowerBound(events: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface HistoryEntry {
  label: string;
  forward: Op;
  inverse: Op;
  selectionBefore: string[];
  selectionAfter: string[];
}

/** How many edits can be undone (older ones are forgotten). */
export const HISTORY_LIMIT = 5000;

/**
 * A document being edited: selection, history, grid, and a drag preview (a move shown while the
 * pointer is down; one undoable edit when it is released). Listeners hear every change.
 */
export class Timeline {
  private current: TimelineDoc;
  private undoStack: HistoryEntry[] = [];
  private redoStack: HistoryEntry[] = [];
  private selected = new Set<string>();
  private listeners = new Set<() => void>();
  private dragBase: { doc: TimelineDoc; preview: TimelineDoc; dt: number } | null = null;
  /** Bumped on every change (document, selection, grid, drag preview). */
  version = 0;
  /** Bumped on every change but a drag preview's: what a toolbar or inspector shows. */
  stateVersion = 0;
  gridUs = 0;

  constructor(doc: TimelineDoc) {
    this.current = doc;
  }

  get doc(): TimelineDoc {
    return this.current;
  }
  /** What to draw: the drag preview while dragging, else the document. */
  get shown(): TimelineDoc {
    return this.dragBase?.preview ?? this.current;
  }
  get selection(): ReadonlySet<string> {
    return this.selected;
  }
  get undoCount(): number {
    return this.undoStack.length;
  }
  get redoCount(): number {
    return this.redoStack.length;
  }
  get undoLabel(): string | null {
    return this.undoStack.at(-1)?.label ?? null;
  }
  get redoLabel(): string | null {
    return this.redoStack.at(-1)?.label ?? null;
  }
  get dragging(): boolean {
    return this.dragBase !== null;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(preview = false): void {
    this.version++;
    if (!preview) this.stateVersion++;
    for (const fn of [...this.listeners]) fn();
  }

  /** Apply an edit as one undoable step. Returns false when it changes nothing. */
  edit(label: string, op: Op | null, selectionAfter?: Iterable<string>): boolean {
    if (!op) return false;
    this.cancelDrag(false);
    const selectionBefore = [...this.selected];
    const { doc, inverse } = applyOp(this.current, op);
    this.current = doc;
    if (selectionAfter) this.selected = new Set(selectionAfter);
    this.dropMissingFromSelection();
    this.undoStack.push({ label, forward: op, inverse, selectionBefore, selectionAfter: [...this.selected] });
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
    this.changed();
    return true;
  }

  undo(): boolean {
    this.cancelDrag(false);
    const entry = this.undoStack.pop();
    if (!entry) return false;
    this.current = applyOp(this.current, entry.inverse).doc;
    this.selected = new Set(entry.selectionBefore);
    this.dropMissingFromSelection();
    this.redoStack.push(entry);
    this.changed();
    return true;
  }

  redo(): boolean {
    this.cancelDrag(false);
    const entry = this.redoStack.pop();
    if (!entry) return false;
    this.current = applyOp(this.current, entry.forward).doc;
    this.selected = new Set(entry.selectionAfter);
    this.dropMissingFromSelection();
    this.undoStack.push(entry);
    this.changed();
    return true;
  }

  private dropMissingFromSelection(): void {
    if (this.selected.size === 0) return;
    const present = new Set<string>();
    for (const e of this.current.events) if (this.selected.has(e.id)) present.add(e.id);
    this.selected = present;
  }

  // ---- selection (not edits: not in the history) ----

  select(ids: Iterable<string>, mode: 'replace' | 'add' | 'toggle' = 'replace'): void {
    const list = [...ids];
    if (mode === 'replace') this.selected = new Set(list);
    else if (mode === 'add') for (const id of list) this.selected.add(id);
    else {
      // Toggle a group (a key bar's press + release) as one: all off if all were on.
      const allOn = list.every((id) => this.selected.has(id));
      for (const id of list) {
        if (allOn) this.selected.delete(id);
        else this.selected.add(id);
      }
    }
    this.dropMissingFromSelection();
    this.changed();
  }

  /** Every event with from ≤ t ≤ to (of the given kinds, default all). */
  selectRange(fromUs: number, toUs: number, kinds?: readonly EventKind[], mode: 'replace' | 'add' = 'replace'): void {
    const lo = Math.min(fromUs, toUs);
    const hi = Math.max(fromUs, toUs);
    const ev = this.current.events;
    const ids: string[] = [];
    for (let i = lowerBound(ev, lo); i < ev.length && ev[i]!.t <= hi; i++) {
      if (!kinds || kinds.includes(ev[i]!.kind)) ids.push(ev[i]!.id);
    }
    this.select(ids, mode);
  }

  selectAll(): void {
    this.select(this.current.events.map((e) => e.id));
  }

  clearSelection(): void {
    if (this.selected.size === 0) return;
    this.selected = new Set();
    this.changed();
  }

  // ---- edits ----

  moveSelected(dtUs: number): boolean {
    return this.edit('Move', moveOp(this.current, this.selected, dtUs));
  }

  /** Arrow keys: one grid step (1 ms when the grid is off), ten with Shift. */
  nudge(direction: -1 | 1, big = false): boolean {
    const step = (this.gridUs > 0 ? this.gridUs : 1000) * (big ? 10 : 1);
    return this.edit('Nudge', moveOp(this.current, this.selected, direction * step));
  }

  insertKey(atUs: number, key: string, holdUs = DEFAULT_KEY_HOLD_US): string[] {
    const events = keyPairEvents(this.current, atUs, key, holdUs);
    this.edit(`Insert key ${key}`, insertOp(this.current, events), events.map((e) => e.id));
    return events.map((e) => e.id);
  }

  insertConsole(atUs: number, data: string): string | null {
    if (!data) return null;
    const [id] = freshIds(this.current, 1) as [string];
    const event: RecordedEvent = { id, t: Math.max(0, Math.min(MAX_T_US, Math.round(atUs))), kind: 'console', data };
    this.edit('Insert console text', insertOp(this.current, [event]), [id]);
    return id;
  }

  deleteSelected(): boolean {
    return this.edit(this.selected.size === 1 ? 'Delete event' : `Delete ${this.selected.size} events`, removeOp(this.current, this.selected), []);
  }

  copySelected(): Clip | null {
    return clipOf(this.current, this.selected);
  }

  paste(clip: Clip, atUs: number): string[] {
    const events = pasteEvents(this.current, clip, atUs);
    this.edit(`Paste ${events.length} event${events.length === 1 ? '' : 's'}`, insertOp(this.current, events), events.map((e) => e.id));
    return events.map((e) => e.id);
  }

  snapSelected(gridUs = this.gridUs): boolean {
    return this.edit('Snap to grid', snapOp(this.current, this.selected, gridUs));
  }

  setSpeed(speed: number): boolean {
    if (!Number.isFinite(speed)) return false;
    const s = Math.max(SPEED_MIN, Math.min(SPEED_MAX, speed));
    if (s === this.current.speed) return false;
    return this.edit('Change speed', { kind: 'speed', speed: s });
  }

  setTime(id: string, tUs: number): boolean {
    return this.edit('Change time', setTimeOp(this.current, id, tUs));
  }

  setFields(id: string, fields: EventFields): boolean {
    const e = this.current.events.find((x) => x.id === id) as Record<string, unknown> | undefined;
    if (!e) return false;
    const changed = Object.entries(fields).filter(([k, v]) => e[k] !== v);
    if (!changed.length) return false;
    return this.edit('Edit event', { kind: 'patch', id, fields: Object.fromEntries(changed) as EventFields });
  }

  setGrid(gridUs: number): void {
    this.gridUs = Math.max(0, Math.round(gridUs));
    this.changed();
  }

  /** Snap a time to the grid (no-op when off). */
  snapTime(tUs: number): number {
    return this.gridUs > 0 ? Math.round(tUs / this.gridUs) * this.gridUs : Math.round(tUs);
  }

  // ---- drag: previewed per frame, committed once ----

  beginDrag(): void {
    if (this.selected.size === 0) return;
    this.dragBase = { doc: this.current, preview: this.current, dt: 0 };
  }

  /** Show the selection moved by Δt from where the drag began (no history entry). */
  dragTo(dtUs: number): void {
    const d = this.dragBase;
    if (!d) return;
    const dt = clampShift(d.doc, this.selected, dtUs);
    if (dt === d.dt) return;
    const op = moveOp(d.doc, this.selected, dt);
    d.preview = op ? applyOp(d.doc, op).doc : d.doc;
    d.dt = dt;
    this.changed(true);
  }

  /** The shift the drag currently shows, µs. */
  get dragShift(): number {
    return this.dragBase?.dt ?? 0;
  }

  endDrag(): boolean {
    const d = this.dragBase;
    if (!d) return false;
    this.dragBase = null;
    const done = this.edit('Move', moveOp(d.doc, this.selected, d.dt));
    if (!done) this.changed();
    return done;
  }

  cancelDrag(notify = true): void {
    if (!this.dragBase) return;
    this.dragBase = null;
    if (notify) this.changed();
  }

  /** Forget the history and start from a document (a revision loaded, a save done). */
  reset(doc: TimelineDoc, keepHistory = false): void {
    this.dragBase = null;
    this.current = doc;
    if (!keepHistory) {
      this.undoStack = [];
      this.redoStack = [];
    }
    this.dropMissingFromSelection();
    this.changed();
  }
}
