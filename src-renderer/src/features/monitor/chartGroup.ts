/**
 * The Monitor's stacked uPlot charts, driven outside React: new samples mark them dirty and one
 * animation frame redraws all of them (setData on views of the sample columns, then the x range
 * of the view mode). Cursors are synced by uPlot; zoom and pan go through the group so every
 * chart shows the same times.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { buildOptions, CHART_THEME, type ChartSpec, type SeriesSpec } from './chartSpecs';
import { PixelDecimator } from './decimate';
import type { SampleBuffer } from './sampleBuffer';
import { panBy, selectedRange, xRange, zoomAround, type Range, type ViewMode } from './viewWindow';

/** Legend row under each chart (CSS px), kept out of the height given to uPlot. */
export const LEGEND_PX = 20;
export const MIN_CHART_PX = 56;

/** Plot size of each of `count` stacked charts sharing `width` × `height` CSS px, legends included. */
export function chartSizeFor(width: number, height: number, count: number): { w: number; h: number } {
  return { w: Math.max(200, Math.floor(width)), h: Math.max(MIN_CHART_PX, Math.floor(height / Math.max(1, count)) - LEGEND_PX) };
}

/** Latency from a sample's time to the frame that first drew it, for the benchmarks. */
export class DrawLatency {
  readonly values: number[] = [];
  constructor(private readonly keep = 1000) {}
  push(ms: number): void {
    this.values.push(ms);
    if (this.values.length > this.keep) this.values.splice(0, this.values.length - this.keep);
  }
}

/** What the benchmarks and e2e tests read (`window.__benchtopMonitor`). */
export interface MonitorProbe {
  /** Date.now() − point.t of the newest point, per frame that drew a new point (last 1,000). */
  sample_to_screen_ms: number[];
  /** Points in the columns at the last draw. */
  points: number;
  draws: number;
}

function probe(): MonitorProbe {
  const w = globalThis as unknown as { __benchtopMonitor?: MonitorProbe };
  return (w.__benchtopMonitor ??= { sample_to_screen_ms: [], points: 0, draws: 0 });
}

interface Chart {
  spec: ChartSpec;
  el: HTMLDivElement;
  u: uPlot;
  timeLabels: boolean;
}

/** Where the charts get their data. */
export interface ChartSource {
  buffer(): SampleBuffer;
  /** Samples arrive live now (only then is the sample-to-screen latency meaningful). */
  live(): boolean;
}

export interface ChartGroupEvents {
  /** The view changed by a gesture on a chart (zoom, pan, double-click). */
  onMode(mode: ViewMode): void;
  /** A click (not a drag) on a chart, at this host time (ms). */
  onPick(ms: number): void;
}

let nextGroup = 1;

export class ChartGroup {
  private charts: Chart[] = [];
  private mode: ViewMode = { kind: 'follow', span: 60 };
  private frame = 0;
  private width = 600;
  private chartHeight = 100;
  private markerS: number | null = null;
  private lastDrawnMs: number | null = null;
  private drawnSeries: { buffer: SampleBuffer; generation: number } | null = null;
  private readonly syncKey = `benchtop-monitor-${nextGroup++}`;
  private readonly latency: DrawLatency;
  private readonly decimator = new PixelDecimator();
  private readonly probe: MonitorProbe;

  constructor(
    private readonly host: HTMLElement,
    private readonly source: ChartSource,
    private readonly events: ChartGroupEvents,
  ) {
    this.probe = probe();
    this.latency = new DrawLatency();
    this.latency.values.push(...this.probe.sample_to_screen_ms.slice(-1000));
    this.probe.sample_to_screen_ms = this.latency.values;
  }

  /** Replace the charts (first mount, or the IRQ lines changed). Keeps the view mode. */
  setCharts(specs: ChartSpec[]): void {
    const old = new Map(this.charts.map((c) => [c.spec.id, c]));
    const next: Chart[] = [];
    specs.forEach((spec, i) => {
      const prev = old.get(spec.id);
      const sameSeries = prev && prev.spec.series.map((s) => s.label).join('\n') === spec.series.map((s) => s.label).join('\n');
      const timeLabels = i === specs.length - 1;
      if (prev && sameSeries && prev.timeLabels === timeLabels) {
        prev.spec = spec;
        old.delete(spec.id);
        next.push(prev);
        return;
      }
      next.push(this.create(spec, timeLabels));
    });
    for (const c of old.values()) this.destroyChart(c);
    for (const c of next) this.host.appendChild(c.el); // in order
    this.charts = next;
    this.schedule();
  }

  private create(spec: ChartSpec, timeLabels: boolean): Chart {
    const el = document.createElement('div');
    el.className = 'monitor-chart';
    el.dataset.testid = 'monitor-chart';
    el.dataset.chart = String(spec.id);
    const opts = buildOptions(spec, {
      width: this.width,
      height: this.chartHeight,
      syncKey: this.syncKey,
      timeLabels,
      onDoubleClick: () => this.follow(),
      hooks: {
        setSelect: [(u) => this.onSelect(u)],
        draw: [(u) => this.drawMarker(u)],
      },
    });
    const u = new uPlot(opts, [[]], el);
    this.bindGestures(u);
    return { spec, el, u, timeLabels };
  }

  private destroyChart(c: Chart): void {
    c.u.destroy();
    c.el.remove();
  }

  private bindGestures(u: uPlot): void {
    let down: { x: number; y: number } | null = null;
    u.over.addEventListener('mousedown', (e) => {
      down = { x: e.clientX, y: e.clientY };
    });
    u.over.addEventListener('mouseup', (e) => {
      if (down && Math.abs(e.clientX - down.x) < 3 && Math.abs(e.clientY - down.y) < 3) {
        const s = u.posToVal(e.clientX - u.over.getBoundingClientRect().left, 'x');
        if (Number.isFinite(s)) this.events.onPick(s * 1000);
      }
      down = null;
    });
    u.over.addEventListener(
      'wheel',
      (e) => {
        const range = this.currentRange();
        if (!range) return;
        e.preventDefault();
        const delta = e.deltaY || e.deltaX;
        if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) this.fix(panBy(range, Math.sign(delta) * 0.1));
        else {
          const anchor = u.posToVal(e.clientX - u.over.getBoundingClientRect().left, 'x');
          this.fix(zoomAround(range, delta > 0 ? 1.25 : 0.8, anchor));
        }
      },
      { passive: false },
    );
  }

  private onSelect(u: uPlot): void {
    const { left, width } = u.select;
    if (width <= 0) return;
    const r = selectedRange(u.posToVal(left, 'x'), u.posToVal(left + width, 'x'));
    // The drawn rectangle goes; the zoom (if any) is the answer to it.
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (r) this.fix(r);
  }

  private drawMarker(u: uPlot): void {
    if (this.markerS === null) return;
    const x = u.valToPos(this.markerS, 'x', true);
    const { left, top, width, height } = u.bbox;
    if (x < left || x > left + width) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = CHART_THEME.marker;
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.lineWidth = devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, top);
    ctx.lineTo(Math.round(x) + 0.5, top + height);
    ctx.stroke();
    ctx.restore();
  }

  private currentRange(): Range | null {
    const b = this.source.buffer();
    return xRange(this.mode, b.firstTimeMs === null ? null : b.firstTimeMs / 1000, b.lastTimeMs === null ? null : b.lastTimeMs / 1000);
  }

  private fix(r: Range): void {
    this.setMode({ kind: 'fixed', min: r[0], max: r[1], span: this.mode.span });
    this.events.onMode(this.mode);
  }

  follow(): void {
    this.setMode({ kind: 'follow', span: this.mode.span });
    this.events.onMode(this.mode);
  }

  setMode(mode: ViewMode): void {
    this.mode = mode;
    this.schedule();
  }

  /** A dashed line at the table's time (host ms), or none. */
  setMarker(ms: number | null): void {
    const s = ms === null ? null : ms / 1000;
    if (s === this.markerS) return;
    this.markerS = s;
    for (const c of this.charts) c.u.redraw(false, false);
  }

  /** Fit the charts into `width` × `height` CSS px, legends included. */
  resize(width: number, height: number): void {
    const { w, h } = chartSizeFor(width, height, this.charts.length);
    if (w === this.width && h === this.chartHeight) return;
    this.width = w;
    this.chartHeight = h;
    for (const c of this.charts) c.u.setSize({ width: w, height: h });
  }

  /** Redraw on the next animation frame (once, however many samples arrive before it). */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw(): void {
    const b = this.source.buffer();
    const range = this.currentRange();
    const x = b.times();
    // Every plot has the same width (fixed axes), so one plan serves all charts.
    const pixels = this.charts[0]?.u.bbox.width || this.width;
    if (range) this.decimator.plan(x, range[0], range[1], pixels);
    const live = new Set<SeriesSpec>();
    for (const c of this.charts) {
      const data = range
        ? [this.decimator.xs(x), ...c.spec.series.map((s) => (live.add(s), this.decimator.ys(s.column(b), s)))]
        : [x, ...c.spec.series.map((s) => s.column(b))];
      c.u.batch(() => {
        c.u.setData(data as unknown as uPlot.AlignedData, false);
        if (range) c.u.setScale('x', { min: range[0], max: range[1] });
      });
      // Without a pointer on the chart, the legend reads the newest values.
      const n = (data[0] as Float64Array).length;
      if (n && c.u.cursor.left! < 0) c.u.setLegend({ idx: n - 1 });
    }
    this.decimator.retain(live);
    if (this.drawnSeries?.buffer !== b || this.drawnSeries.generation !== b.generation) {
      this.drawnSeries = { buffer: b, generation: b.generation };
      this.lastDrawnMs = null;
    }
    const last = b.lastTimeMs;
    if (last !== null && last !== this.lastDrawnMs) {
      // The first draw of a (re)loaded backlog shows old points: not a latency.
      if (this.lastDrawnMs !== null && this.source.live()) this.latency.push(Date.now() - last);
      this.lastDrawnMs = last;
    }
    this.probe.points = b.size;
    this.probe.draws++;
    this.host.dataset.points = String(b.size);
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    for (const c of this.charts) this.destroyChart(c);
    this.charts = [];
  }
}
