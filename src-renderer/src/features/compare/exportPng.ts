/**
 * The charts as one PNG: the pane's legend (a colour swatch and name per replay), then each
 * chart's title and its uPlot canvas (axes, lines, ticks and flags are all on it), on the theme's
 * background. uPlot's own legends are HTML, so they are written here instead.
 */
import type { CompareChartId } from './compareCharts';

export interface PngChart {
  id: CompareChartId;
  title: string;
  canvas: HTMLCanvasElement;
}

export interface PngLegendItem {
  color: string;
  text: string;
}

const BG = '#1f1f1f';
const FG = '#cccccc';
const FG_STRONG = '#e7e7e7';
const FONT = 'system-ui, "Segoe UI", Ubuntu, "Noto Sans", "DejaVu Sans", sans-serif';
const PAD = 10;
const LEGEND_ROW = 18;
const TITLE_ROW = 18;

/** Legend items laid out in rows that fit `width` (CSS px): [row, x] per item. */
export function legendLayout(widths: readonly number[], width: number, gap = 18): { row: number; x: number }[] {
  let row = 0;
  let x = 0;
  return widths.map((w) => {
    if (x > 0 && x + w > width) {
      row++;
      x = 0;
    }
    const at = { row, x };
    x += w + gap;
    return at;
  });
}

export function composeChartsCanvas(charts: readonly PngChart[], legend: readonly PngLegendItem[], heading: string): HTMLCanvasElement {
  // Charts are drawn at the device's pixel ratio; the picture keeps it (sharp on the same screen).
  const ratio = charts[0] ? charts[0].canvas.width / Math.max(1, charts[0].canvas.clientWidth || charts[0].canvas.width) : 1;
  const cssWidth = Math.max(400, ...charts.map((c) => c.canvas.width / ratio));
  const measure = document.createElement('canvas').getContext('2d')!;
  measure.font = `12px ${FONT}`;
  const itemWidths = legend.map((l) => 16 + measure.measureText(l.text).width);
  const layout = legendLayout(itemWidths, cssWidth - 2 * PAD);
  const legendRows = layout.length ? layout[layout.length - 1]!.row + 1 : 0;
  const headerH = PAD + TITLE_ROW + legendRows * LEGEND_ROW + PAD / 2;
  const cssHeight = headerH + charts.reduce((h, c) => h + TITLE_ROW + c.canvas.height / ratio, 0) + PAD;

  const out = document.createElement('canvas');
  out.width = Math.round(cssWidth * ratio);
  out.height = Math.round(cssHeight * ratio);
  const ctx = out.getContext('2d')!;
  ctx.scale(ratio, ratio);
  ctx.fillStyle = BG;
  ctx.fillRect(0, 0, cssWidth, cssHeight);
  ctx.textBaseline = 'middle';
  ctx.font = `600 13px ${FONT}`;
  ctx.fillStyle = FG_STRONG;
  ctx.fillText(heading, PAD, PAD + TITLE_ROW / 2);
  ctx.font = `12px ${FONT}`;
  legend.forEach((l, i) => {
    const at = layout[i]!;
    const y = PAD + TITLE_ROW + at.row * LEGEND_ROW + LEGEND_ROW / 2;
    ctx.fillStyle = l.color;
    ctx.fillRect(PAD + at.x, y - 1.5, 10, 3);
    ctx.fillStyle = FG;
    ctx.fillText(l.text, PAD + at.x + 16, y);
  });
  let y = headerH;
  for (const c of charts) {
    ctx.font = `600 11.5px ${FONT}`;
    ctx.fillStyle = FG_STRONG;
    ctx.fillText(c.title, PAD, y + TITLE_ROW / 2);
    y += TITLE_ROW;
    const h = c.canvas.height / ratio;
    ctx.drawImage(c.canvas, 0, y, c.canvas.width / ratio, h);
    y += h;
  }
  return out;
}

export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'));
}
