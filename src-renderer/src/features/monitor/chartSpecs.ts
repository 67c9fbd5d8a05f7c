/**
 * What each Monitor chart plots (columns, colours, units) and the uPlot options that draw it in
 * the workbench's dark theme. The charts share one time axis: fixed-width y axes on both sides
 * keep their plot areas aligned, and only the bottom chart prints the time labels.
 */
import type uPlot from 'uplot';
import { formatClockMs } from '../../ui/format';
import type { SampleBuffer } from './sampleBuffer';
import { formatMiB, formatPct, formatRate, tickText } from './units';

export type Unit = 'pct' | 'mib' | 'rate';
export type ChartId = 'cpu' | 'mem' | 'irq' | 'host';

export interface SeriesSpec {
  label: string;
  color: string;
  unit: Unit;
  /** Right-hand axis (a second unit in the same chart). */
  right?: boolean;
  column(b: SampleBuffer): Float64Array;
}

export interface ChartSpec {
  id: ChartId | string;
  title: string;
  /** Unit of the left axis; the right axis (if any series uses it) has `rightUnit`. */
  unit: Unit;
  rightUnit?: Unit;
  /** Fixed left range (CPU percent), else from 0 to the data's maximum plus headroom. */
  fixedMax?: number;
  /** Lowest top of the left axis (e.g. 100 % for QEMU's CPU, which may exceed one core). */
  minMax?: number;
  series: SeriesSpec[];
}

/** The theme's colours (theme.css) as the canvas needs them: it cannot read CSS variables. */
const THEME = {
  axis: '#9d9d9d',
  grid: '#2b2b2b',
  tick: '#3c3c3c',
  font: '11px system-ui, "Segoe UI", Ubuntu, "Noto Sans", "DejaVu Sans", sans-serif',
  marker: '#e7e7e7',
  select: 'rgba(0, 120, 212, 0.18)',
};

/** Distinct on the dark background, in order of importance. */
export const PALETTE = ['#4fa3ff', '#f0883e', '#56d364', '#d2a8ff', '#ff7b72', '#e3b341', '#39c5cf', '#db61a2'];

/** Width of each y axis (CSS px), the same on every chart so the time axes line up. */
export const Y_AXIS_PX = 66;
const X_AXIS_PX = 24;

export const CPU_CHART: ChartSpec = {
  id: 'cpu',
  title: 'Guest CPU',
  unit: 'pct',
  fixedMax: 100,
  series: [
    { label: 'user', color: PALETTE[0]!, unit: 'pct', column: (b) => b.column('cpuUser') },
    { label: 'system', color: PALETTE[1]!, unit: 'pct', column: (b) => b.column('cpuSystem') },
    { label: 'iowait', color: PALETTE[3]!, unit: 'pct', column: (b) => b.column('cpuIowait') },
    { label: 'irq', color: PALETTE[4]!, unit: 'pct', column: (b) => b.column('cpuIrq') },
    { label: 'softirq', color: PALETTE[5]!, unit: 'pct', column: (b) => b.column('cpuSoftirq') },
  ],
};

export const MEM_CHART: ChartSpec = {
  id: 'mem',
  title: 'Guest memory',
  unit: 'mib',
  series: [
    { label: 'used', color: PALETTE[0]!, unit: 'mib', column: (b) => b.column('memUsed') },
    { label: 'cached', color: PALETTE[2]!, unit: 'mib', column: (b) => b.column('memCached') },
    { label: 'buffers', color: PALETTE[5]!, unit: 'mib', column: (b) => b.column('memBuffers') },
    { label: 'free', color: '#8b949e', unit: 'mib', column: (b) => b.column('memFree') },
  ],
};

export const HOST_CHART: ChartSpec = {
  id: 'host',
  title: 'QEMU on the host',
  unit: 'pct',
  rightUnit: 'mib',
  minMax: 100,
  series: [
    { label: 'CPU (one core = 100 %)', color: PALETTE[1]!, unit: 'pct', column: (b) => b.column('qemuCpu') },
    { label: 'RSS', color: PALETTE[3]!, unit: 'mib', right: true, column: (b) => b.column('qemuRss') },
  ],
};

export function irqChart(ids: readonly string[], label: (id: string) => string): ChartSpec {
  return {
    id: 'irq',
    title: 'IRQ rate',
    unit: 'rate',
    series: ids.map((id, i) => ({ label: label(id), color: PALETTE[i % PALETTE.length]!, unit: 'rate' as const, column: (b: SampleBuffer) => b.irqColumn(id) })),
  };
}

/** 14:03:27 for ticks a second or more apart, 14:03:27.5 below that, 14:03 from a minute up. */
export function timeTick(s: number, incr: number): string {
  const text = formatClockMs(s * 1000);
  if (incr >= 60) return text.slice(0, 5);
  if (incr >= 1) return text.slice(0, 8);
  return text.slice(0, 10);
}

const VALUE_TEXT: Record<Unit, (v: number) => string> = { pct: formatPct, mib: formatMiB, rate: formatRate };

/** Headroom over the data's maximum, and a floor so an idle chart is not all noise. */
function upperRange(minMax: number | undefined, unit: Unit): uPlot.Range.Function {
  const floor = minMax ?? (unit === 'rate' ? 10 : 1);
  return (_u, _min, max) => [0, Math.max(floor, Number.isFinite(max) ? max * 1.1 : floor)];
}

function yAxis(unit: Unit, side: 1 | 3, scale: string): uPlot.Axis {
  return {
    scale,
    side,
    size: Y_AXIS_PX,
    stroke: THEME.axis,
    font: THEME.font,
    gap: 4,
    // Small plots still get a middle tick.
    space: 18,
    grid: { show: side === 3, stroke: THEME.grid, width: 1 },
    ticks: { show: true, stroke: THEME.tick, width: 1, size: 4 },
    values: (_u, splits) => splits.map((v) => tickText(unit, v)),
  };
}

export interface BuildContext {
  width: number;
  height: number;
  syncKey: string;
  /** Print time labels under this chart (the bottom one). */
  timeLabels: boolean;
  hooks?: uPlot.Hooks.Arrays;
  /** Double-click: the group returns to following instead of uPlot's own reset. */
  onDoubleClick?: () => void;
}

export function buildOptions(spec: ChartSpec, ctx: BuildContext): uPlot.Options {
  const hasRight = spec.series.some((s) => s.right);
  const axes: uPlot.Axis[] = [
    {
      scale: 'x',
      side: 2,
      size: ctx.timeLabels ? X_AXIS_PX : 2,
      stroke: THEME.axis,
      font: THEME.font,
      grid: { show: true, stroke: THEME.grid, width: 1 },
      ticks: { show: ctx.timeLabels, stroke: THEME.tick, width: 1, size: 4 },
      // Room for a full clock time per tick.
      space: 74,
      values: ctx.timeLabels ? (_u: uPlot, splits: number[], _i: number, _space: number, incr: number) => splits.map((v) => timeTick(v, incr)) : (_u: uPlot, splits: number[]) => splits.map(() => ''),
    },
    yAxis(spec.unit, 3, 'y'),
  ];
  if (hasRight) axes.push(yAxis(spec.rightUnit ?? spec.unit, 1, 'y2'));
  const scales: uPlot.Scales = {
    x: { time: true, range: (_u, min, max) => [min, max] },
    y: spec.fixedMax !== undefined ? { range: [0, spec.fixedMax] } : { range: upperRange(spec.minMax, spec.unit) },
  };
  if (hasRight) scales.y2 = { range: upperRange(undefined, spec.rightUnit ?? spec.unit) };
  return {
    width: ctx.width,
    height: ctx.height,
    // Charts without a right axis keep its width free so every plot spans the same times.
    // The bottom tick label of a chart without time labels needs room below the plot.
    padding: [8, hasRight ? 0 : Y_AXIS_PX, ctx.timeLabels ? 0 : 6, 0],
    pxAlign: true,
    legend: { show: true, live: true },
    cursor: {
      y: false,
      sync: { key: ctx.syncKey, setSeries: false, scales: ['x', null] },
      drag: { x: true, y: false, setScale: false },
      points: { size: 6 },
      bind: ctx.onDoubleClick
        ? {
            dblclick: () => () => {
              ctx.onDoubleClick!();
              return null;
            },
          }
        : undefined,
    },
    select: { show: true, left: 0, top: 0, width: 0, height: 0 },
    scales,
    axes,
    series: [
      {
        label: spec.title,
        value: (_u, v) => (v == null ? '' : formatClockMs(v * 1000)),
      },
      ...spec.series.map(
        (s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: 1,
          scale: s.right ? 'y2' : 'y',
          points: { show: false },
          value: (_u, v) => (v == null ? '—' : VALUE_TEXT[s.unit](v)),
        }),
      ),
    ],
    hooks: ctx.hooks,
  };
}

export const CHART_THEME = THEME;
