/**
 * The Timeline view: one DPR-aware canvas with a time ruler and three lanes (keys as press→release
 * bars, console text chips, marker flags), driven by a `Timeline` model. No React state per event:
 * the view draws the model's visible range (binary search on t) at most once per animation frame,
 * and React hears only about the cursor and the key picker.
 */
import { clampStart, consoleLabel, fitView, formatDurationUs, formatTick, keyLabel, panBy, tickStep, tOf, xOf, zoomAround, type Viewport } from './geometry';
import { barIds, firstAtOrAfter, KEY_ROWS, laneIndex, type KeyBar, type LaneIndex } from './lanes';
import type { Clip, EventKind, Timeline } from './model';

/** Canvas colours (the CSS theme's, which a canvas cannot read as variables). */
export const THEME = {
  bg: '#1f1f1f',
  laneA: '#1c1c1c',
  laneB: '#222223',
  beforeZero: '#161616',
  gutter: '#181818',
  border: '#2b2b2b',
  ruler: '#252526',
  tick: '#3c3c3c',
  grid: '#2a2a2a',
  text: '#cccccc',
  textMuted: '#9d9d9d',
  textDim: '#6e7681',
  key: '#264f78',
  keyEdge: '#3794ff',
  keySelected: '#0e7ad1',
  keyDense: '#3a6a99',
  selectedEdge: '#ffffff',
  chip: '#3a3d41',
  chipEdge: '#5a5d61',
  chipSelected: '#0e7ad1',
  marker: '#cca700',
  markerSelected: '#ffd84d',
  cursor: '#f14c4c',
  band: 'rgba(55, 148, 255, 0.15)',
  bandEdge: '#3794ff',
  font: "11px system-ui, 'Segoe UI', Ubuntu, 'Noto Sans', 'DejaVu Sans', sans-serif",
  mono: "11px 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace",
};

export const GUTTER_PX = 74;
export const RULER_PX = 24;
const LANE_PAD = 5;
const CHIP_ROWS = 2;
/** Rows of the three lanes (keys, console, markers). */
const ROWS = KEY_ROWS + CHIP_ROWS + 1;
/** Console chips: an estimate of the mono font's advance, and the widest chip. */
const CHAR_PX = 6.7;
const CHIP_MAX_PX = 150;

export type Lane = 'key' | 'console' | 'marker';
const LANES: { lane: Lane; label: string; rows: number; kinds: EventKind[] }[] = [
  { lane: 'key', label: 'Keys', rows: KEY_ROWS, kinds: ['key'] },
  { lane: 'console', label: 'Console', rows: CHIP_ROWS, kinds: ['console'] },
  { lane: 'marker', label: 'Markers', rows: 1, kinds: ['marker'] },
];

export interface TimelineViewOptions {
  /** `k`, or a double-click in the key lane: pick a key to insert at this time. */
  onInsertKey?(tUs: number, at: { clientX: number; clientY: number }): void;
  /** A double-click in the console lane: type text to insert at this time. */
  onInsertConsole?(tUs: number, at: { clientX: number; clientY: number }): void;
  /** The cursor (playhead: where a paste or an insert lands) moved. */
  onCursor?(tUs: number): void;
}

interface Hit {
  ids: string[];
  anchorT: number;
  lane: Lane;
}

type Gesture =
  | { kind: 'none' }
  | { kind: 'pendingDrag'; x0: number; anchorT: number; ids: string[]; additive: boolean }
  | { kind: 'drag'; x0: number; anchorT: number }
  | { kind: 'pan'; x0: number; start: Viewport; moved: boolean }
  | { kind: 'band'; x0: number; y0: number; x1: number; y1: number; add: boolean }
  | { kind: 'scrub' };

/**
 * Pixel columns covered by items too narrow to draw one by one (0 = none, 1 = item, 2 = selected
 * item): drawn as runs, so a dense zoomed-out view costs one rectangle per run, not per event.
 */
class ColumnCover {
  private cols = new Uint8Array(0);
  private used = false;

  reset(width: number): void {
    if (this.cols.length < width + 2) this.cols = new Uint8Array(width + 2);
    else if (this.used) this.cols.fill(0);
    this.used = false;
  }

  mark(x0: number, x1: number, state: 1 | 2): void {
    const a = Math.max(0, Math.floor(x0));
    const b = Math.min(this.cols.length - 1, Math.max(a + 1, Math.ceil(x1)));
    for (let x = a; x < b; x++) if (this.cols[x]! < state) this.cols[x] = state;
    if (b > a) this.used = true;
  }

  /**
   * Draw every covered column in the first colour, then the selected ones over it: the first
   * pass has long runs (a dense view is mostly covered), so there are fewer rectangles than
   * runs alternating between the two states.
   */
  draw(ctx: CanvasRenderingContext2D, y: number, h: number, colours: readonly [string, string]): void {
    if (!this.used) return;
    const cols = this.cols;
    for (const min of [1, 2] as const) {
      ctx.fillStyle = colours[min - 1]!;
      let x = 0;
      while (x < cols.length) {
        if (cols[x]! < min) {
          x++;
          continue;
        }
        let end = x + 1;
        while (end < cols.length && cols[end]! >= min) end++;
        ctx.fillRect(x, y, end - x, h);
        x = end;
      }
    }
  }
}

/** What Ctrl+C took, shared by every open timeline (copy in one recording, paste in another). */
let clipboard: Clip | null = null;
export const clipboardSize = () => clipboard?.events.length ?? 0;

export class TimelineView {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private vp: Viewport = { startUs: 0, usPerPx: 1000, widthPx: 100 };
  private width = 100;
  private height = 100;
  private dpr = 1;
  private cursorUs = 0;
  private frame = 0;
  private fitted = false;
  private gesture: Gesture = { kind: 'none' };
  /** Console chips as last drawn (rows are decided while drawing), for hit tests. */
  private chips = { x: [] as number[], w: [] as number[], row: [] as number[], idx: [] as number[] };
  private readonly covers = Array.from({ length: ROWS }, () => new ColumnCover());
  private readonly unsubs: (() => void)[] = [];
  private readonly resizeObserver: ResizeObserver | null = null;
  /** Times of the last draws, ms (for the bench and a debugging eye). */
  lastDrawMs = 0;

  constructor(
    host: HTMLElement,
    private readonly tl: Timeline,
    private readonly opts: TimelineViewOptions = {},
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'tl-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-label', 'Timeline: arrows nudge, Delete deletes, Ctrl+C/V copy and paste, Ctrl+Z undo, K inserts a key');
    this.canvas.dataset.testid = 'timeline-canvas';
    host.appendChild(this.canvas);
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2D canvas');
    this.ctx = ctx;

    this.unsubs.push(tl.subscribe(() => this.requestDraw()));
    const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (e: HTMLElementEventMap[K]) => void, o?: AddEventListenerOptions) => {
      this.canvas.addEventListener(type, fn as EventListener, o);
      this.unsubs.push(() => this.canvas.removeEventListener(type, fn as EventListener, o));
    };
    on('pointerdown', (e) => this.onPointerDown(e));
    on('pointermove', (e) => this.onPointerMove(e));
    on('pointerup', (e) => this.onPointerUp(e));
    on('pointercancel', () => this.cancelGesture());
    on('dblclick', (e) => this.onDoubleClick(e));
    on('wheel', (e) => this.onWheel(e), { passive: false });
    on('keydown', (e) => {
      if (this.handleKey(e)) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => this.setSize(host.clientWidth, host.clientHeight));
      this.resizeObserver.observe(host);
    }
    this.setSize(host.clientWidth, host.clientHeight);
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.resizeObserver?.disconnect();
    for (const u of this.unsubs.splice(0)) u();
    this.canvas.remove();
  }

  get cursor(): number {
    return this.cursorUs;
  }
  get viewport(): Viewport {
    return this.vp;
  }

  setSize(width: number, height: number): void {
    const dpr = globalThis.devicePixelRatio || 1;
    if (width === this.width && height === this.height && dpr === this.dpr) return;
    this.width = Math.max(1, Math.floor(width));
    this.height = Math.max(1, Math.floor(height));
    this.dpr = dpr;
    this.canvas.width = Math.round(this.width * dpr);
    this.canvas.height = Math.round(this.height * dpr);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    const plot = Math.max(1, this.width - GUTTER_PX);
    this.vp = clampStart({ ...this.vp, widthPx: plot });
    this.draw();
  }

  /** Show the whole recording. */
  fit(): void {
    const ev = this.tl.shown.events;
    this.vp = fitView(ev.length ? ev[ev.length - 1]!.t : 0, this.vp.widthPx);
    this.fitted = true;
    this.requestDraw();
  }

  zoom(factor: number): void {
    const x = Math.min(this.vp.widthPx, Math.max(0, xOf(this.vp, this.cursorUs)));
    this.vp = zoomAround(this.vp, x, factor);
    this.requestDraw();
  }

  setCursor(tUs: number): void {
    const t = Math.max(0, Math.round(tUs));
    if (t === this.cursorUs) return;
    this.cursorUs = t;
    this.opts.onCursor?.(t);
    this.requestDraw();
  }

  /** Bring a time into view (the inspector's "show"). */
  reveal(tUs: number): void {
    const x = xOf(this.vp, tUs);
    if (x < 0 || x > this.vp.widthPx) this.vp = clampStart({ ...this.vp, startUs: tUs - this.vp.widthPx * this.vp.usPerPx * 0.3 });
    this.requestDraw();
  }

  /** At most one draw per animation frame, however many changes come in. */
  requestDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  // ---- layout ----

  private rowHeight(): number {
    return Math.max(16, Math.min(26, (this.height - RULER_PX - LANE_PAD * 2 * LANES.length) / ROWS));
  }

  /** Top of each lane and its rows' height. */
  private laneBoxes(): { lane: Lane; label: string; top: number; height: number; rows: number; kinds: EventKind[] }[] {
    const rh = this.rowHeight();
    let top = RULER_PX;
    return LANES.map((l) => {
      const height = l.rows * rh + LANE_PAD * 2;
      const box = { ...l, top, height };
      top += height;
      return box;
    });
  }

  private rowTop(lane: Lane, row: number): number {
    const box = this.laneBoxes().find((b) => b.lane === lane)!;
    return box.top + LANE_PAD + row * this.rowHeight();
  }

  // ---- drawing ----

  draw(): void {
    const t0 = performance.now();
    const { ctx, width: W, height: H, vp } = this;
    const shown = this.tl.shown;
    if (!this.fitted && shown.events.length) this.fit();
    const idx = laneIndex(shown);
    const sel = this.tl.selection;
    const rh = this.rowHeight();
    const boxes = this.laneBoxes();

    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = THEME.bg;
    ctx.fillRect(0, 0, W, H);
    boxes.forEach((b, i) => {
      ctx.fillStyle = i % 2 ? THEME.laneB : THEME.laneA;
      ctx.fillRect(GUTTER_PX, b.top, W - GUTTER_PX, b.height);
    });

    // Plot area: everything in time is clipped to it.
    ctx.save();
    ctx.beginPath();
    ctx.rect(GUTTER_PX, 0, W - GUTTER_PX, H);
    ctx.clip();
    ctx.translate(GUTTER_PX, 0);
    const tFrom = tOf(vp, -2);
    const tTo = tOf(vp, vp.widthPx + 2);
    const zeroX = xOf(vp, 0);
    if (zeroX > 0) {
      ctx.fillStyle = THEME.beforeZero;
      ctx.fillRect(0, RULER_PX, zeroX, H - RULER_PX);
    }
    this.drawGridAndRuler(tFrom, tTo);
    this.drawKeys(idx, sel, tFrom, tTo, rh);
    this.drawConsole(idx, sel, tFrom, tTo, rh);
    this.drawMarkers(idx, sel, tFrom, tTo, rh, boxes[2]!);
    this.drawOverlay();
    ctx.restore();

    // Gutter with the lane names, drawn last so nothing in time covers it.
    ctx.fillStyle = THEME.gutter;
    ctx.fillRect(0, 0, GUTTER_PX, H);
    ctx.fillStyle = THEME.border;
    ctx.fillRect(GUTTER_PX - 1, 0, 1, H);
    ctx.fillRect(0, RULER_PX - 1, W, 1);
    ctx.font = THEME.font;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    for (const b of boxes) {
      ctx.fillStyle = THEME.textMuted;
      ctx.fillText(b.label, 10, b.top + b.height / 2);
      ctx.fillStyle = THEME.border;
      ctx.fillRect(0, b.top + b.height - 1, W, 1);
    }
    ctx.fillStyle = THEME.textDim;
    ctx.fillText('Time', 10, RULER_PX / 2);
    this.lastDrawMs = performance.now() - t0;
  }

  private drawGridAndRuler(tFrom: number, tTo: number): void {
    const { ctx, vp, height: H } = this;
    const grid = this.tl.gridUs;
    if (grid > 0 && grid / vp.usPerPx >= 8) {
      ctx.fillStyle = THEME.grid;
      for (let t = Math.max(0, Math.ceil(tFrom / grid) * grid); t <= tTo; t += grid) ctx.fillRect(Math.round(xOf(vp, t)), RULER_PX, 1, H - RULER_PX);
    }
    ctx.fillStyle = THEME.ruler;
    ctx.fillRect(0, 0, vp.widthPx + 4, RULER_PX - 1);
    const step = tickStep(vp.usPerPx);
    const minor = step / (String(step).startsWith('2') ? 4 : 5);
    ctx.fillStyle = THEME.tick;
    for (let t = Math.ceil(tFrom / minor) * minor; t <= tTo; t += minor) {
      const x = Math.round(xOf(vp, t));
      ctx.fillRect(x, RULER_PX - 5, 1, 4);
    }
    ctx.font = THEME.font;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    for (let t = Math.ceil(tFrom / step) * step; t <= tTo; t += step) {
      const x = Math.round(xOf(vp, t));
      ctx.fillStyle = THEME.tick;
      ctx.fillRect(x, 4, 1, RULER_PX - 5);
      ctx.fillStyle = THEME.grid;
      ctx.fillRect(x, RULER_PX, 1, H - RULER_PX);
      ctx.fillStyle = THEME.textMuted;
      ctx.fillText(formatTick(t, step), x + 4, RULER_PX / 2);
    }
  }

  private drawKeys(idx: LaneIndex, sel: ReadonlySet<string>, tFrom: number, tTo: number, rh: number): void {
    const { ctx, vp } = this;
    const bars = idx.bars;
    const top = this.rowTop('key', 0);
    ctx.font = THEME.mono;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    const cover = this.covers.slice(0, KEY_ROWS);
    for (const c of cover) c.reset(Math.ceil(vp.widthPx));
    for (let i = firstAtOrAfter(bars, tFrom - idx.longestBarUs, (b) => b.start); i < bars.length; i++) {
      const b = bars[i]!;
      if (b.start > tTo) break;
      if (b.end < tFrom) continue;
      const x0 = xOf(vp, b.start);
      const x1 = xOf(vp, b.end);
      const pressSel = b.pressId !== null && sel.has(b.pressId);
      const relSel = b.releaseId !== null && sel.has(b.releaseId);
      if (x1 - x0 < 4) {
        cover[b.row]!.mark(x0, x0 + 3, pressSel || relSel ? 2 : 1);
        continue;
      }
      const w = x1 - x0;
      const y = top + b.row * rh + 1;
      const h = rh - 3;
      ctx.fillStyle = pressSel && relSel ? THEME.keySelected : THEME.key;
      ctx.fillRect(x0, y, w, h);
      ctx.fillStyle = b.pressId ? THEME.keyEdge : THEME.textDim;
      ctx.fillRect(x0, y, 2, h);
      if (pressSel !== relSel) {
        // One end of the stroke selected: mark that end.
        ctx.fillStyle = THEME.selectedEdge;
        ctx.fillRect(pressSel ? x0 : x0 + w - 3, y, 3, h);
      } else if (pressSel) {
        ctx.strokeStyle = THEME.selectedEdge;
        ctx.lineWidth = 1;
        ctx.strokeRect(x0 + 0.5, y + 0.5, w - 1, h - 1);
      }
      if (w > 14) {
        const label = keyLabel(b.key);
        ctx.fillStyle = THEME.text;
        const tx = Math.max(x0 + 4, Math.min(4, x0 + w - 4 - label.length * CHAR_PX));
        if (label.length * CHAR_PX < w - 6) ctx.fillText(label, tx, y + h / 2 + 0.5);
      }
    }
    cover.forEach((c, row) => c.draw(ctx, top + row * rh + 1, rh - 3, [THEME.keyDense, THEME.keySelected]));
  }

  private drawConsole(idx: LaneIndex, sel: ReadonlySet<string>, tFrom: number, tTo: number, rh: number): void {
    const { ctx, vp } = this;
    const events = idx.console;
    const top = this.rowTop('console', 0);
    const chips = this.chips;
    chips.x.length = chips.w.length = chips.row.length = chips.idx.length = 0;
    ctx.font = THEME.mono;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    const cover = this.covers.slice(KEY_ROWS, KEY_ROWS + CHIP_ROWS);
    for (const c of cover) c.reset(Math.ceil(vp.widthPx));
    const rowEnd = [-Infinity, -Infinity];
    const labels: string[] = [];
    // First the places (a chip where there is room, else a tick), then the ticks, then the chips over them.
    for (let i = firstAtOrAfter(events, tFrom - CHIP_MAX_PX * vp.usPerPx, (e) => e.t); i < events.length; i++) {
      const e = events[i]!;
      if (e.t > tTo) break;
      const x = xOf(vp, e.t);
      const row = rowEnd[0]! < x ? 0 : rowEnd[1]! < x ? 1 : -1;
      if (row < 0) {
        // No room: a tick on the row that frees first (in the selection's colour when selected).
        cover[rowEnd[0]! <= rowEnd[1]! ? 0 : 1]!.mark(x, x + 2, sel.has(e.id) ? 2 : 1);
        continue;
      }
      const label = consoleLabel(e.data);
      const w = Math.min(CHIP_MAX_PX, Math.ceil(label.length * CHAR_PX) + 12);
      rowEnd[row] = x + w + 2;
      chips.x.push(x);
      chips.w.push(w);
      chips.row.push(row);
      chips.idx.push(i);
      labels.push(label);
    }
    cover.forEach((c, row) => c.draw(ctx, top + row * rh + 1, rh - 3, [THEME.chipEdge, THEME.chipSelected]));
    for (let k = 0; k < chips.x.length; k++) {
      const x = chips.x[k]!;
      const w = chips.w[k]!;
      const label = labels[k]!;
      const selected = sel.has(events[chips.idx[k]!]!.id);
      const y = top + chips.row[k]! * rh + 1;
      const h = rh - 3;
      ctx.fillStyle = selected ? THEME.chipSelected : THEME.chip;
      ctx.fillRect(x, y, w, h);
      ctx.fillStyle = selected ? THEME.selectedEdge : THEME.chipEdge;
      ctx.fillRect(x, y, 2, h);
      ctx.fillStyle = THEME.text;
      const fit = Math.floor((w - 12) / CHAR_PX + 0.01);
      ctx.fillText(label.length > fit ? `${label.slice(0, Math.max(0, fit - 1))}…` : label, x + 6, y + h / 2 + 0.5);
    }
  }

  private drawMarkers(idx: LaneIndex, sel: ReadonlySet<string>, tFrom: number, tTo: number, rh: number, box: { top: number; height: number }): void {
    const { ctx, vp, height: H } = this;
    const markers = idx.markers;
    const y = this.rowTop('marker', 0);
    ctx.font = THEME.font;
    ctx.textBaseline = 'middle';
    let lastEnd = -Infinity;
    const poles = this.covers[ROWS - 1]!;
    poles.reset(Math.ceil(vp.widthPx));
    for (let i = firstAtOrAfter(markers, tFrom - 200 * vp.usPerPx, (e) => e.t); i < markers.length; i++) {
      const m = markers[i]!;
      if (m.t > tTo) break;
      const x = Math.round(xOf(vp, m.t));
      const selected = sel.has(m.id);
      poles.mark(x, x + 1, selected ? 2 : 1);
      if (x < lastEnd) continue;
      const label = m.text || 'marker';
      const w = Math.min(180, ctx.measureText(label).width + 16);
      ctx.fillStyle = selected ? THEME.markerSelected : THEME.marker;
      ctx.beginPath();
      ctx.moveTo(x, y + 1);
      ctx.lineTo(x + w, y + 1);
      ctx.lineTo(x + w - 5, y + (rh - 2) / 2);
      ctx.lineTo(x + w, y + rh - 2);
      ctx.lineTo(x, y + rh - 2);
      ctx.closePath();
      ctx.fill();
      ctx.fillStyle = '#1f1f1f';
      let text = label;
      while (text.length > 1 && ctx.measureText(text).width > w - 14) text = text.slice(0, -1);
      ctx.fillText(text === label ? label : `${text.slice(0, -1)}…`, x + 4, y + rh / 2 - 0.5);
      lastEnd = x + w + 2;
    }
    // The flags' poles run down from the ruler so a marker lines up with the keys it follows.
    ctx.globalAlpha = 0.45;
    poles.draw(ctx, RULER_PX, Math.min(H, box.top + box.height) - RULER_PX, [THEME.marker, THEME.markerSelected]);
    ctx.globalAlpha = 1;
  }

  private drawOverlay(): void {
    const { ctx, vp, height: H } = this;
    const g = this.gesture;
    if (g.kind === 'band') {
      const x = Math.min(g.x0, g.x1);
      const y = Math.min(g.y0, g.y1);
      ctx.fillStyle = THEME.band;
      ctx.fillRect(x, y, Math.abs(g.x1 - g.x0), Math.abs(g.y1 - g.y0));
      ctx.strokeStyle = THEME.bandEdge;
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, y + 0.5, Math.abs(g.x1 - g.x0), Math.abs(g.y1 - g.y0));
    }
    const cx = Math.round(xOf(vp, this.cursorUs));
    if (cx >= -1 && cx <= vp.widthPx + 1) {
      ctx.fillStyle = THEME.cursor;
      ctx.fillRect(cx, 0, 1, H);
      ctx.beginPath();
      ctx.moveTo(cx - 5, 0);
      ctx.lineTo(cx + 6, 0);
      ctx.lineTo(cx + 0.5, 7);
      ctx.closePath();
      ctx.fill();
    }
    if (g.kind === 'drag' && this.tl.dragging) {
      const dt = this.tl.dragShift;
      const label = `${dt < 0 ? '−' : '+'}${formatDurationUs(Math.abs(dt))}`;
      const x = Math.min(vp.widthPx - 90, Math.max(4, xOf(vp, g.anchorT + dt) + 8));
      ctx.font = THEME.font;
      ctx.fillStyle = 'rgba(0,0,0,0.75)';
      ctx.fillRect(x - 3, RULER_PX + 2, label.length * 6.5 + 6, 16);
      ctx.fillStyle = THEME.text;
      ctx.textBaseline = 'middle';
      ctx.fillText(label, x, RULER_PX + 10);
    }
  }

  // ---- hit testing ----

  private laneAt(y: number): { lane: Lane; row: number; kinds: EventKind[] } | null {
    const rh = this.rowHeight();
    for (const b of this.laneBoxes()) {
      if (y >= b.top && y < b.top + b.height) {
        const row = Math.max(0, Math.min(b.rows - 1, Math.floor((y - b.top - LANE_PAD) / rh)));
        return { lane: b.lane, row, kinds: b.kinds };
      }
    }
    return null;
  }

  /** The event(s) under a point of the plot (x from the plot's left edge). */
  hitAt(x: number, y: number): Hit | null {
    const at = this.laneAt(y);
    if (!at) return null;
    const { vp } = this;
    const idx = laneIndex(this.tl.shown);
    if (at.lane === 'key') {
      const t = tOf(vp, x);
      const slack = 3 * vp.usPerPx;
      let best: KeyBar | null = null;
      for (let i = firstAtOrAfter(idx.bars, t - idx.longestBarUs - slack, (b) => b.start); i < idx.bars.length; i++) {
        const b = idx.bars[i]!;
        if (b.start > t + slack) break;
        if (b.row !== at.row) continue;
        const x0 = xOf(vp, b.start);
        const x1 = Math.max(x0 + 3, xOf(vp, b.end));
        if (x >= x0 - 3 && x <= x1 + 3) best = b;
      }
      if (!best) return null;
      const x0 = xOf(vp, best.start);
      const x1 = xOf(vp, best.end);
      // The right end of a wide bar grabs the release alone (to lengthen or shorten the stroke).
      if (best.releaseId && best.pressId && x1 - x0 > 16 && x >= x1 - 5) return { ids: [best.releaseId], anchorT: best.end, lane: 'key' };
      return { ids: barIds(best), anchorT: best.pressId ? best.start : best.end, lane: 'key' };
    }
    if (at.lane === 'console') {
      const c = this.chips;
      for (let k = c.x.length - 1; k >= 0; k--) {
        if (c.row[k] === at.row && x >= c.x[k]! - 2 && x <= c.x[k]! + c.w[k]!) {
          const e = idx.console[c.idx[k]!]!;
          return { ids: [e.id], anchorT: e.t, lane: 'console' };
        }
      }
      return null;
    }
    let found: Hit | null = null;
    for (let i = firstAtOrAfter(idx.markers, tOf(vp, x - 180), (e) => e.t); i < idx.markers.length; i++) {
      const m = idx.markers[i]!;
      const mx = xOf(vp, m.t);
      if (mx > x + 3) break;
      const w = Math.min(180, (m.text || 'marker').length * 6.2 + 12);
      if (x >= mx - 3 && x <= mx + w) found = { ids: [m.id], anchorT: m.t, lane: 'marker' };
    }
    return found;
  }

  // ---- input ----

  private local(e: MouseEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left - GUTTER_PX, y: e.clientY - r.top };
  }

  private onPointerDown(e: PointerEvent): void {
    this.canvas.focus();
    const { x, y } = this.local(e);
    if (x < 0) return;
    this.canvas.setPointerCapture(e.pointerId);
    if (e.button === 1) {
      this.gesture = { kind: 'pan', x0: x, start: this.vp, moved: true };
      return;
    }
    if (e.button !== 0) return;
    if (y < RULER_PX) {
      this.gesture = { kind: 'scrub' };
      this.setCursor(this.tl.snapTime(tOf(this.vp, x)));
      return;
    }
    const hit = this.hitAt(x, y);
    const additive = e.shiftKey || e.ctrlKey || e.metaKey;
    if (hit) {
      const sel = this.tl.selection;
      if (additive) this.tl.select(hit.ids, 'toggle');
      else if (!hit.ids.every((id) => sel.has(id))) this.tl.select(hit.ids);
      if (hit.ids.every((id) => this.tl.selection.has(id))) this.gesture = { kind: 'pendingDrag', x0: x, anchorT: hit.anchorT, ids: hit.ids, additive };
      else this.gesture = { kind: 'none' };
      return;
    }
    if (additive) this.gesture = { kind: 'band', x0: x, y0: y, x1: x, y1: y, add: e.ctrlKey || e.metaKey };
    else this.gesture = { kind: 'pan', x0: x, start: this.vp, moved: false };
  }

  private onPointerMove(e: PointerEvent): void {
    const { x, y } = this.local(e);
    const g = this.gesture;
    switch (g.kind) {
      case 'pendingDrag':
        if (Math.abs(x - g.x0) < 3) return;
        this.tl.beginDrag();
        this.gesture = { kind: 'drag', x0: g.x0, anchorT: g.anchorT };
        this.onPointerMove(e);
        return;
      case 'drag': {
        const raw = (x - g.x0) * this.vp.usPerPx;
        // Snapping puts the grabbed event on the grid; the others keep their distance to it.
        this.tl.dragTo(this.tl.snapTime(g.anchorT + raw) - g.anchorT);
        return;
      }
      case 'pan':
        if (!g.moved && Math.abs(x - g.x0) < 3) return;
        g.moved = true;
        this.vp = panBy(g.start, x - g.x0);
        this.canvas.style.cursor = 'grabbing';
        this.requestDraw();
        return;
      case 'band':
        g.x1 = x;
        g.y1 = y;
        this.requestDraw();
        return;
      case 'scrub':
        this.setCursor(this.tl.snapTime(tOf(this.vp, x)));
        return;
      case 'none': {
        const hit = x >= 0 && y >= RULER_PX ? this.hitAt(x, y) : null;
        this.canvas.style.cursor = hit ? (hit.ids.length === 1 && hit.lane === 'key' && this.isReleaseOnly(hit) ? 'ew-resize' : 'pointer') : y < RULER_PX ? 'text' : 'default';
      }
    }
  }

  private isReleaseOnly(hit: Hit): boolean {
    const bar = laneIndex(this.tl.shown).barOf(hit.ids[0]!);
    return !!bar && bar.pressId !== null && bar.releaseId === hit.ids[0];
  }

  private onPointerUp(e: PointerEvent): void {
    const { x } = this.local(e);
    const g = this.gesture;
    this.gesture = { kind: 'none' };
    this.canvas.style.cursor = 'default';
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    switch (g.kind) {
      case 'drag':
        this.tl.endDrag();
        return;
      case 'pendingDrag':
        // A click (no drag) on one of several selected events selects just it.
        if (!g.additive && this.tl.selection.size > g.ids.length) this.tl.select(g.ids);
        return;
      case 'pan':
        if (!g.moved) {
          this.tl.clearSelection();
          this.setCursor(this.tl.snapTime(tOf(this.vp, x)));
        }
        return;
      case 'band': {
        const kinds = new Set<EventKind>();
        const [ya, yb] = [Math.min(g.y0, g.y1), Math.max(g.y0, g.y1)];
        for (const b of this.laneBoxes()) if (b.top < yb && b.top + b.height > ya) b.kinds.forEach((k) => kinds.add(k));
        this.tl.selectRange(tOf(this.vp, Math.min(g.x0, g.x1)), tOf(this.vp, Math.max(g.x0, g.x1)), [...kinds], g.add ? 'add' : 'replace');
        this.requestDraw();
        return;
      }
      default:
        return;
    }
  }

  private cancelGesture(): void {
    if (this.gesture.kind === 'drag') this.tl.cancelDrag();
    this.gesture = { kind: 'none' };
    this.requestDraw();
  }

  private onDoubleClick(e: MouseEvent): void {
    const { x, y } = this.local(e);
    if (x < 0 || y < RULER_PX || this.hitAt(x, y)) return;
    const lane = this.laneAt(y)?.lane;
    const t = Math.max(0, this.tl.snapTime(tOf(this.vp, x)));
    this.setCursor(t);
    const at = { clientX: e.clientX, clientY: e.clientY };
    if (lane === 'key') this.opts.onInsertKey?.(t, at);
    else if (lane === 'console') this.opts.onInsertConsole?.(t, at);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const { x } = this.local(e);
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.height : 1;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      this.vp = panBy(this.vp, -(e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX) * unit);
    } else {
      this.vp = zoomAround(this.vp, Math.max(0, x), Math.exp(e.deltaY * unit * 0.0015));
    }
    this.requestDraw();
  }

  /** Editing keys; true when the key was used (the caller stops it there). */
  handleKey(e: KeyboardEvent): boolean {
    const tl = this.tl;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (mod && key === 'z') return e.shiftKey ? tl.redo() || true : tl.undo() || true;
    if (mod && key === 'y') return tl.redo() || true;
    if (mod && key === 'c') {
      clipboard = tl.copySelected() ?? clipboard;
      return true;
    }
    if (mod && key === 'x') {
      const clip = tl.copySelected();
      if (clip) {
        clipboard = clip;
        tl.deleteSelected();
      }
      return true;
    }
    if (mod && key === 'v') {
      if (clipboard) tl.paste(clipboard, this.cursorUs);
      return true;
    }
    if (mod && key === 'a') {
      tl.selectAll();
      return true;
    }
    if (mod || e.altKey) return false;
    switch (key) {
      case 'ArrowLeft':
      case 'ArrowRight': {
        const dir = key === 'ArrowLeft' ? -1 : 1;
        if (tl.selection.size) tl.nudge(dir, e.shiftKey);
        else this.setCursor(this.cursorUs + dir * (tl.gridUs || 1000) * (e.shiftKey ? 10 : 1));
        return true;
      }
      case 'Delete':
      case 'Backspace':
        tl.deleteSelected();
        return true;
      case 'Escape':
        if (this.gesture.kind === 'drag') this.cancelGesture();
        else tl.clearSelection();
        return true;
      case 'k': {
        const r = this.canvas.getBoundingClientRect();
        this.opts.onInsertKey?.(this.cursorUs, { clientX: r.left + GUTTER_PX + Math.max(0, xOf(this.vp, this.cursorUs)), clientY: r.top + RULER_PX + 10 });
        return true;
      }
      case 'f':
      case 'Home':
        this.fit();
        return true;
      case '+':
      case '=':
        this.zoom(1 / 1.5);
        return true;
      case '-':
        this.zoom(1.5);
        return true;
      default:
        return false;
    }
  }
}
