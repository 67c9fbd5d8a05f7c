/**
 * The Compare view's stacked uPlot charts, one series per replay on a shared time axis (seconds
 * since each replay's time zero). Options come from the Monitor's `buildOptions` (theme, axes,
 * units, synced cursor, drag-to-select); the x axis is relative time instead of the clock, and a
 * draw hook adds each replay's injected events (ticks in a lane at the bottom) and guest markers
 * (flags, labelled on the top chart). Lives outside React: the pane creates it on a div.
 */
import uPlot from 'uplot';
import { chartSizeFor } from '../monitor/chartGroup';
import { buildOptions, CHART_THEME, type ChartSpec, type Unit } from '../monitor/chartSpecs';
import { selectedRange, type Range } from '../monitor/viewWindow';
import { alignRuns, type ReplayColumns } from './chartData';
import { relTick, relTime } from './timeAxis';

export type CompareChartId = 'cpu' | 'mem' | 'irq' | 'host';

export interface ChartReplay {
  /** Short name in the chart legends ("replay 2"); the pane's own legend says the rest. */
  name: string;
  color: string;
  /** Null: no samples (the replay still gets its ticks and flags). */
  columns: ReplayColumns | null;
  /** Replayed events, seconds since time zero. */
  eventsS: number[];
  markers: { s: number; text: string }[];
}

interface ChartDef {
  id: CompareChartId;
  title: string;
  unit: Unit;
  fixedMax?: number;
  minMax?: number;
  pick(c: ReplayColumns, irqLine: string): Float64Array;
}

export const CHART_DEFS: readonly ChartDef[] = [
  { id: 'cpu', title: 'Guest CPU (user + system)', unit: 'pct', fixedMax: 100, pick: (c) => c.cpu },
  { id: 'mem', title: 'Guest memory used', unit: 'mib', pick: (c) => c.memUsed },
  { id: 'irq', title: 'IRQ rate', unit: 'rate', pick: (c, line) => c.irq(line) },
  { id: 'host', title: 'QEMU host CPU (one core = 100 %)', unit: 'pct', minMax: 100, pick: (c) => c.qemuCpu },
];

/** Height of one replay's tick lane (CSS px). */
const LANE_PX = 5;
const FLAG_FONT = '11px system-ui, "Segoe UI", Ubuntu, "Noto Sans", "DejaVu Sans", sans-serif';

interface Chart {
  def: ChartDef;
  el: HTMLDivElement;
  u: uPlot;
}

let nextSet = 1;

export class CompareChartSet {
  private charts: Chart[] = [];
  private readonly syncKey = `benchtop-compare-${nextSet++}`;
  private width = 600;
  private chartHeight = 100;
  private irqLine: string;
  private irqTitle: string;

  constructor(
    private readonly host: HTMLElement,
    private readonly replays: readonly ChartReplay[],
    /** The whole runs with their context: where Reset goes back to. */
    private readonly fullRange: Range,
    irq: { line: string; title: string },
  ) {
    this.irqLine = irq.line;
    this.irqTitle = irq.title;
    for (const def of CHART_DEFS) this.charts.push(this.create(def, def === CHART_DEFS[CHART_DEFS.length - 1]));
    for (const c of this.charts) this.host.appendChild(c.el);
    this.setData();
  }

  private create(def: ChartDef, timeLabels: boolean): Chart {
    const el = document.createElement('div');
    el.className = 'monitor-chart compare-chart';
    el.dataset.testid = 'compare-chart';
    el.dataset.chart = def.id;
    const spec: ChartSpec = {
      id: def.id,
      title: def.id === 'irq' ? this.irqTitle : def.title,
      unit: def.unit,
      fixedMax: def.fixedMax,
      minMax: def.minMax,
      series: this.replays.map((r) => ({ label: r.name, color: r.color, unit: def.unit, column: () => (r.columns ? def.pick(r.columns, this.irqLine) : new Float64Array()) })),
    };
    const opts = buildOptions(spec, {
      width: this.width,
      height: this.chartHeight,
      syncKey: this.syncKey,
      timeLabels,
      onDoubleClick: () => this.resetZoom(),
      hooks: { setSelect: [(u) => this.onSelect(u)], draw: [(u) => this.drawEvents(u, def.id === CHART_DEFS[0]!.id)] },
    });
    // Time since the replay's zero, not the clock.
    opts.scales!.x = { time: false, range: (_u, min, max) => [min, max] };
    const xAxis = opts.axes![0]!;
    xAxis.space = 56;
    if (timeLabels) xAxis.values = (_u, splits, _i, _space, incr) => splits.map((v) => relTick(v, incr));
    opts.series[0]!.value = (_u, v) => (v == null ? '' : relTime(v));
    const u = new uPlot(opts, [[]], el);
    return { def, el, u };
  }

  private onSelect(u: uPlot): void {
    const { left, width } = u.select;
    if (width <= 0) return;
    const r = selectedRange(u.posToVal(left, 'x'), u.posToVal(left + width, 'x'));
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (r) this.setRange(r);
  }

  private setRange([min, max]: Range): void {
    for (const c of this.charts) c.u.setScale('x', { min, max });
  }

  resetZoom(): void {
    this.setRange(this.fullRange);
  }

  /** Which IRQ line the IRQ chart plots (`total`: the sum of all). */
  setIrqLine(id: string, title: string): void {
    if (id === this.irqLine && title === this.irqTitle) return;
    this.irqLine = id;
    this.irqTitle = title;
    const c = this.charts.find((x) => x.def.id === 'irq');
    if (c) {
      c.u.series[0]!.label = title;
      // uPlot keeps the legend's title cell; rewrite it with the new line.
      const th = c.el.querySelector('.u-legend .u-series:first-child th');
      if (th) th.textContent = title;
    }
    this.setData();
  }

  private setData(): void {
    for (const c of this.charts) {
      const runs = this.replays.map((r) => (r.columns ? { x: r.columns.x, y: c.def.pick(r.columns, this.irqLine) } : { x: new Float64Array(), y: new Float64Array() }));
      const data = alignRuns(runs);
      c.u.batch(() => {
        c.u.setData(data, false);
        c.u.setScale('x', { min: c.u.scales.x!.min ?? this.fullRange[0], max: c.u.scales.x!.max ?? this.fullRange[1] });
      });
    }
  }

  /** Ticks per replay in its lane along the bottom; marker flags across the plot. */
  private drawEvents(u: uPlot, labels: boolean): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const px = devicePixelRatio || 1;
    const min = u.scales.x!.min!;
    const max = u.scales.x!.max!;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    this.replays.forEach((r, k) => {
      const laneBottom = top + height - k * (LANE_PX + 1) * px;
      ctx.strokeStyle = r.color;
      ctx.globalAlpha = 0.85;
      ctx.lineWidth = px;
      ctx.beginPath();
      let lastX = -Infinity;
      for (const s of r.eventsS) {
        if (s < min || s > max) continue;
        const x = Math.round(u.valToPos(s, 'x', true)) + 0.5;
        // One stroke per device pixel column is enough (a burst of keys is a solid block).
        if (x === lastX) continue;
        lastX = x;
        ctx.moveTo(x, laneBottom);
        ctx.lineTo(x, laneBottom - LANE_PX * px);
      }
      ctx.stroke();
    });
    ctx.globalAlpha = 1;
    ctx.font = FLAG_FONT.replace('11px', `${11 * px}px`);
    // uPlot leaves its axis-label alignment on the context.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    this.replays.forEach((r, k) => {
      let labelEnd = -Infinity;
      for (const m of r.markers) {
        if (m.s < min || m.s > max) continue;
        const x = Math.round(u.valToPos(m.s, 'x', true)) + 0.5;
        ctx.strokeStyle = r.color;
        ctx.lineWidth = px;
        ctx.setLineDash([3 * px, 2 * px]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.setLineDash([]);
        if (!labels) continue;
        // One label row per replay; a label that would overlap the previous one in its row is left out.
        const y = top + (2 + k * 14) * px;
        const w = ctx.measureText(m.text).width + 6 * px;
        if (x < labelEnd + 4 * px) continue;
        ctx.fillStyle = 'rgba(24, 24, 24, 0.85)';
        ctx.fillRect(x, y, w, 13 * px);
        ctx.fillStyle = r.color;
        ctx.fillRect(x, y, 2 * px, 13 * px);
        ctx.fillStyle = CHART_THEME.marker;
        ctx.fillText(m.text, x + 4 * px, y + px);
        labelEnd = x + w;
      }
    });
    ctx.restore();
  }

  /** Fit the charts into `width` × `height` CSS px, legends included. */
  resize(width: number, height: number): void {
    const { w, h } = chartSizeFor(width, height, this.charts.length);
    if (w === this.width && h === this.chartHeight) return;
    this.width = w;
    this.chartHeight = h;
    for (const c of this.charts) c.u.setSize({ width: w, height: h });
  }

  /** The drawn charts in order, for the PNG export. */
  snapshot(): { id: CompareChartId; title: string; canvas: HTMLCanvasElement }[] {
    return this.charts.map((c) => ({ id: c.def.id, title: c.def.id === 'irq' ? this.irqTitle : c.def.title, canvas: c.u.ctx.canvas }));
  }

  destroy(): void {
    for (const c of this.charts) {
      c.u.destroy();
      c.el.remove();
    }
    this.charts = [];
  }
}
