/**
 * The Compare charts' data: each replay's samples as columns on its own time axis (seconds since
 * its time zero), then all replays joined on one x column for uPlot. Columns come from the Monitor's
 * SampleBuffer, so the quantities (user includes nice, memory in MiB, NaN for a missing host
 * figure) are the Monitor's. Pure apart from uPlot's join.
 */
import uPlot from 'uplot';
import type { MonitorPoint } from '../../../../src-shared/features/monitor';
import { SampleBuffer } from '../monitor/sampleBuffer';

/** The IRQ chart plots the sum of all lines unless a line is picked. */
export const IRQ_TOTAL = 'total';

export interface ReplayColumns {
  /** Seconds since the replay's time zero. */
  x: Float64Array;
  /** user + nice + system, %. */
  cpu: Float64Array;
  memUsed: Float64Array;
  qemuCpu: Float64Array;
  irqIds: string[];
  irq(id: string): Float64Array;
}

export function replayColumns(points: readonly MonitorPoint[], startedAtMs: number): ReplayColumns {
  const b = new SampleBuffer(Math.max(2, points.length));
  b.append(points);
  const t0 = startedAtMs / 1000;
  const x = b.times().map((t) => t - t0);
  const user = b.column('cpuUser');
  const system = b.column('cpuSystem');
  const ids = b.irqIds();
  const total = new Float64Array(b.size);
  for (const id of ids) {
    const col = b.irqColumn(id);
    for (let i = 0; i < col.length; i++) total[i]! += col[i]!;
  }
  return {
    x,
    cpu: user.map((u, i) => u + system[i]!),
    memUsed: b.column('memUsed').slice(),
    qemuCpu: b.column('qemuCpu').slice(),
    irqIds: ids,
    irq: (id) => (id === IRQ_TOTAL ? total : b.irqColumn(id).slice()),
  };
}

/** One y column per replay (each on its own x) → uPlot's aligned data: [x, y₁, y₂, …]. */
export function alignRuns(runs: readonly { x: Float64Array; y: Float64Array }[]): uPlot.AlignedData {
  if (!runs.length) return [[]];
  const tables = runs.map((r) => [Array.from(r.x), Array.from(r.y, (v) => (Number.isFinite(v) ? v : null))] as uPlot.AlignedData);
  // A replay has no value at another's sample times: join leaves `undefined` there, which uPlot
  // draws through. A missing figure (NaN → null) stays a gap; mode 2 (Expand) widens it over
  // those undefined neighbours so the line does not bridge it.
  return uPlot.join(tables, runs.map(() => [2]) as uPlot.JoinNullMode[][]);
}
