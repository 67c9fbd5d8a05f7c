/**
 * Benchmark of one Monitor chart redraw at its worst case: the IRQ chart with 8 lines × 36,000
 * points (an hour at 10 Hz, "All" span), through the pane's own path — SampleBuffer columns,
 * ChartGroup.draw (min/max per pixel column, uPlot setData + x range, one redraw). Each frame first appends
 * a sample, as a live frame does. bench/chart-frame.ts bundles this file and runs it in Chromium;
 * it is not part of the app bundle.
 */
import type { MonitorPoint } from '../../../../src-shared/features/monitor';
import { ChartGroup } from './chartGroup';
import { irqChart } from './chartSpecs';
import { SampleBuffer } from './sampleBuffer';

export interface ChartFrameResult {
  median_ms: number;
  p90_ms: number;
  frames: number;
  points: number;
  series: number;
}

/** Deterministic random walks: every run measures the same picture. */
function makeSamples(n: number, lines: number): { points: MonitorPoint[]; next(): MonitorPoint } {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const level = Array.from({ length: lines }, (_, k) => 100 + k * 100);
  let t = 1_790_000_000_000;
  const next = (): MonitorPoint => {
    const irq: Record<string, number> = {};
    level.forEach((v, k) => {
      level[k] = Math.min(1000, Math.max(0, v + (rand() - 0.5) * 60));
      irq[String(20 + k)] = level[k]!;
    });
    t += 100;
    return {
      t,
      cpu: { user: 10, nice: 0, system: 5, iowait: 0, irq: 1, softirq: 1, idle: 83, steal: 0 },
      mem: { totalKb: 65536, usedKb: 20000, freeKb: 30000, availableKb: 40000, buffersKb: 2000, cachedKb: 13000 },
      irq,
      ctxtPerS: 0,
      forksPerS: 0,
      procsRunning: 1,
      procsBlocked: 0,
      host: { qemuCpuPct: 50, qemuRssKb: 100000 },
    };
  };
  return { points: Array.from({ length: n }, next), next };
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

export async function runChartFrameBench(
  o: { points?: number; series?: number; frames?: number; width?: number; height?: number; readback?: boolean } = {},
): Promise<ChartFrameResult> {
  const points = o.points ?? 36_000;
  const series = o.series ?? 8;
  const frames = o.frames ?? 60;
  const buffer = new SampleBuffer(points);
  const samples = makeSamples(points, series);
  buffer.append(samples.points);
  const host = document.createElement('div');
  host.style.width = `${o.width ?? 1100}px`;
  document.body.appendChild(host);
  const group = new ChartGroup(host, { buffer: () => buffer, live: () => false }, { onMode: () => {}, onPick: () => {} });
  group.setMode({ kind: 'follow', span: 'all' });
  group.setCharts([irqChart(buffer.irqIds(), (id) => `IRQ ${id}`)]);
  group.resize(o.width ?? 1100, (o.height ?? 140) + 22);
  const canvas = host.querySelector('canvas')!;
  const ctx = canvas.getContext('2d')!;
  const times: number[] = [];
  for (let f = 0; f < frames + 5; f++) {
    await nextFrame();
    buffer.append([samples.next()]);
    const t0 = performance.now();
    group.draw();
    // Reading a pixel makes the canvas rasterise now, so the time includes the drawing itself.
    if (o.readback !== false) ctx.getImageData(0, 0, 1, 1);
    const dt = performance.now() - t0;
    if (f >= 5) times.push(dt); // the first frames warm the JIT up
  }
  group.destroy();
  host.remove();
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median_ms: at(0.5), p90_ms: at(0.9), frames: times.length, points: buffer.size, series };
}
