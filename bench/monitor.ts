/**
 * Resource monitor figures (issue 4): the agent's own CPU share while sampling at 10 Hz
 * (bench/monitor-agent.ts), one redraw of 8 × 36,000 points in Chromium
 * (bench/chart-frame.ts), and guest sample → drawn on screen in the real workbench.
 */
import type { Core } from '../src-main/core/core';

type Figure = { value: number; unit: string; target?: string; note?: string; samples?: number };

export async function measureMonitor(_core: Core, o: { onProgress?: (line: string) => void } = {}): Promise<Record<string, Figure>> {
  const figures: Record<string, Figure> = {};
  o.onProgress?.('[bench] monitor: figures not wired yet');
  return figures;
}
