/** What the pane shows of each loaded replay: names, colours, chart inputs, the IRQ choices. Pure. */
import { PALETTE } from '../monitor/chartSpecs';
import { irqLabel } from '../monitor/irqLines';
import type { Range } from '../monitor/viewWindow';
import { IRQ_TOTAL, replayColumns } from './chartData';
import { CONTEXT_MS, type ReplayLoad } from './compareData';
import type { ChartReplay } from './compareCharts';
import type { CompareInput } from './compareTable';
import { eventTimeUs, runEndUs } from './segments';

export const replayColor = (i: number) => PALETTE[i % PALETTE.length]!;
export const replayName = (i: number) => `replay ${i + 1}`;

/** "replay 1 · session board-one · iteration 2/3" */
export function legendText(load: ReplayLoad, i: number): string {
  if (load.status === 'error') return `${replayName(i)} · ${load.replayId}`;
  const r = load.report.replay;
  return `${replayName(i)} · session ${r.sessionId} · iteration ${r.iteration}/${r.of}`;
}

export function chartReplay(load: ReplayLoad, i: number): ChartReplay {
  const base = { name: replayName(i), color: replayColor(i) };
  if (load.status === 'error') return { ...base, columns: null, eventsS: [], markers: [] };
  const { report, points } = load;
  const t0 = report.replay.startedAt;
  const eventsS: number[] = [];
  for (const e of report.events) {
    const us = e.kind === 'marker' ? null : eventTimeUs(e);
    if (us !== null) eventsS.push(us / 1e6);
  }
  return {
    ...base,
    columns: t0 !== null && points.length ? replayColumns(points, t0) : null,
    eventsS,
    markers: report.markers.map((m) => ({ s: m.us / 1e6, text: m.text })),
  };
}

/** From 2 s before time zero to 2 s after the longest run's end, seconds. */
export function fullRange(loads: readonly ReplayLoad[]): Range {
  const ends = loads.map((l) => (l.status === 'loaded' ? runEndUs(l.report) / 1e6 : 0));
  const context = CONTEXT_MS / 1000;
  return [-context, Math.max(1, ...ends) + context];
}

export function tableInputs(loads: readonly ReplayLoad[]): CompareInput[] {
  return loads.map((l) => (l.status === 'loaded' ? { report: l.report, points: l.points, usable: l.excluded === null } : { report: null, points: [], usable: false }));
}

export interface IrqChoice {
  id: string;
  label: string;
}

/** "All lines" first, then every line any replay's samples have, named by the first run that lists it. */
export function irqChoices(loads: readonly ReplayLoad[]): IrqChoice[] {
  const out: IrqChoice[] = [{ id: IRQ_TOTAL, label: 'all lines' }];
  const seen = new Set<string>();
  for (const l of loads) {
    if (l.status !== 'loaded') continue;
    for (const p of l.points) {
      for (const id in p.irq) {
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ id, label: irqLabel(id, l.irqLines) });
      }
    }
  }
  const [total, ...lines] = out;
  lines.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  return [total!, ...lines];
}

export function irqTitle(choice: IrqChoice | undefined): string {
  return !choice || choice.id === IRQ_TOTAL ? 'IRQ rate (all lines)' : `IRQ rate: ${choice.label}`;
}
