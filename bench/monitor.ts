/**
 * Resource monitor figures (issue 4):
 *   agent_overhead_pct_10hz   the agent's own CPU share in the guest while sampling at 10 Hz for
 *                             60 s (bench/monitor-agent.ts; its own session, target ≤ 0.5 %)
 *   chart_frame_ms_8x36k      one redraw of 8 series × 36,000 points in Chromium
 *                             (bench/chart-frame.ts; target ≤ 16 ms)
 *   sample_to_screen_ms_p50   guest sample time → drawn, in the real workbench (served UI,
 *                             Chromium, Monitor tab on a running session; target ≤ 100 ms)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Core } from '../src-main/core/core';
import { ensureWebUiBuilt, serve } from '../src-main/server/serve';
import { launchChromium } from '../e2e/browser';
import { measureChartFrame } from './chart-frame';
import { percentile } from './machine';
import { benchAgentMonitorOverhead } from './monitor-agent';

type Figure = { value: number; unit: string; target?: string; note?: string; samples?: number };
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Serve the workbench, start a session, open its Monitor tab, collect the page's draw latencies. */
async function sampleToScreen(o: { seconds: number; onProgress?: (line: string) => void }): Promise<number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-bench-screen-'));
  await ensureWebUiBuilt();
  const server = await serve({ workspace: path.join(dir, 'workspace') });
  const browser = await launchChromium();
  try {
    await server.core.ensureImage('mainstone');
    const s = server.core.sessions.create({ board: 'mainstone', name: 'bench sample→screen' });
    await server.core.sessions.start(s.id);
    await server.core.agents.waitReady(s.id, 90_000);
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(server.url);
    await page.locator(`[data-testid="session-item"][data-session-id="${s.id}"]`).click();
    await page.getByTestId('tab-monitor').click();
    await page.locator('[data-testid="monitor-state"][data-active="true"]').waitFor({ timeout: 60_000 });
    o.onProgress?.(`[bench] sample→screen: watching the Monitor tab for ${o.seconds} s`);
    await page.evaluate(() => {
      const m = (globalThis as unknown as { __benchtopMonitor: { sample_to_screen_ms: number[] } }).__benchtopMonitor;
      m.sample_to_screen_ms.length = 0;
    });
    await page.waitForFunction(
      (n) => ((globalThis as unknown as { __benchtopMonitor: { sample_to_screen_ms: number[] } }).__benchtopMonitor.sample_to_screen_ms.length ?? 0) >= n,
      o.seconds * 8,
      { timeout: (o.seconds + 30) * 1000 },
    );
    return await page.evaluate(() => [...(globalThis as unknown as { __benchtopMonitor: { sample_to_screen_ms: number[] } }).__benchtopMonitor.sample_to_screen_ms]);
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureMonitor(_core: Core, o: { onProgress?: (line: string) => void } = {}): Promise<Record<string, Figure>> {
  const figures: Record<string, Figure> = {};
  const log = o.onProgress ?? (() => undefined);

  log('[bench] monitor: agent overhead at 10 Hz (60 s)');
  const cost = await benchAgentMonitorOverhead({ onProgress: log });
  figures.agent_overhead_pct_10hz = { value: round(cost.agent_overhead_pct_10hz), unit: '%', target: '<= 0.5', note: JSON.stringify(cost) };

  log('[bench] monitor: chart redraw 8 × 36k');
  const frame = await measureChartFrame();
  figures.chart_frame_ms_8x36k = { value: round(frame.median_ms), unit: 'ms', target: '<= 16', samples: frame.frames, note: `median of ${frame.frames} redraws; p90 ${round(frame.p90_ms)} ms` };

  const lat = (await sampleToScreen({ seconds: 20, onProgress: log })).sort((a, b) => a - b);
  figures.sample_to_screen_ms_p50 = {
    value: round(percentile(lat, 50)),
    unit: 'ms',
    target: '<= 100',
    samples: lat.length,
    note: `p90 ${round(percentile(lat, 90))} ms, max ${round(lat.at(-1) ?? NaN)} ms (guest sample time mapped to the host clock → drawn)`,
  };
  return figures;
}
