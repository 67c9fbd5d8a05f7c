/**
 * What the Compare view loads per replay: its report, and the monitor samples of its session
 * from 2 s before time zero to 2 s after the end (a little context either side of the run).
 * The contract calls go through `CompareApi` so this can be tested with a fake.
 */
import type { IrqLine, MonitorPoint } from '../../../../src-shared/features/monitor';
import type { ReplayReport } from '../../../../src-shared/features/replay';
import type { MethodInput, MethodOutput } from '../../../../src-shared/contract';
import type { Api } from '../../../../src-shared/transport';
import { runEndUs } from './segments';

export const CONTEXT_MS = 2000;
/** Per replay: a 10-minute replay at 10 Hz is 6,000 points; more is thinned by the core. */
export const MAX_POINTS = 20_000;

export const NO_SAMPLES = 'no samples: the session was not monitored during this replay';

export interface CompareApi {
  report(replayId: string): Promise<ReplayReport>;
  runs(sessionId: string): Promise<MethodOutput<'monitor.runs'>>;
  series(input: MethodInput<'monitor.series'>): Promise<MethodOutput<'monitor.series'>>;
}

export function compareApiFrom(api: Pick<Api, 'replay' | 'monitor'>): CompareApi {
  return {
    report: (replayId) => api.replay.report({ replayId }),
    runs: (id) => api.monitor.runs({ id }),
    series: (input) => api.monitor.series(input),
  };
}

export type ReplayLoad =
  | { replayId: string; status: 'error'; error: string }
  | {
      replayId: string;
      status: 'loaded';
      report: ReplayReport;
      points: MonitorPoint[];
      irqLines: IrqLine[];
      /** Why the charts have nothing of this replay (no samples, the monitor call failed), else null. */
      monitorNote: string | null;
      /** Why the replay's numbers are left out of Δ (it did not finish), else null. */
      excluded: string | null;
    };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function exclusionOf(report: ReplayReport): string | null {
  const r = report.replay;
  if (r.state === 'done') return null;
  if (r.state === 'failed') return `failed: ${r.error ?? 'no reason given'}`;
  if (r.state === 'cancelled') return 'cancelled';
  return `not finished (${r.state})`;
}

/** Host ms window of the samples to fetch, or null when the replay never reached time zero. */
export function sampleWindow(report: ReplayReport): { from: number; to: number } | null {
  const t0 = report.replay.startedAt;
  if (t0 === null) return null;
  return { from: t0 - CONTEXT_MS, to: t0 + runEndUs(report) / 1000 + CONTEXT_MS };
}

/**
 * The session run that overlaps the window most. A session restarted since the replay has a newer
 * latest run, and `monitor.series` without `run` would read that one.
 */
export function runFor(runs: MethodOutput<'monitor.runs'>, from: number, to: number): number | null {
  let best: number | null = null;
  let bestOverlap = 0;
  for (const r of runs) {
    const overlap = Math.min(to, r.to) - Math.max(from, r.from);
    if (overlap > bestOverlap) {
      best = r.run;
      bestOverlap = overlap;
    }
  }
  return best;
}

export async function loadReplay(api: CompareApi, replayId: string): Promise<ReplayLoad> {
  let report: ReplayReport;
  try {
    report = await api.report(replayId);
  } catch (e) {
    return { replayId, status: 'error', error: message(e) };
  }
  const base = { replayId, status: 'loaded' as const, report, excluded: exclusionOf(report), points: [] as MonitorPoint[], irqLines: [] as IrqLine[] };
  const window = sampleWindow(report);
  if (!window) return { ...base, monitorNote: 'no samples: the replay never started' };
  const id = report.replay.sessionId;
  try {
    const run = runFor(await api.runs(id), window.from, window.to);
    if (run === null) return { ...base, monitorNote: NO_SAMPLES };
    const series = await api.series({ id, run, from: window.from, to: window.to, maxPoints: MAX_POINTS });
    const points = series.points.filter((p) => p.t >= window.from && p.t <= window.to);
    return { ...base, points, irqLines: series.irqLines, monitorNote: points.length ? null : NO_SAMPLES };
  } catch (e) {
    return { ...base, monitorNote: `no samples: ${message(e)}` };
  }
}

/** All replays at once; each settles on its own (one bad id does not hide the others). */
export function loadReplays(api: CompareApi, replayIds: readonly string[]): Promise<ReplayLoad[]> {
  return Promise.all(replayIds.map((id) => loadReplay(api, id)));
}
