/**
 * chart_frame_ms_8x36k: one redraw of a Monitor chart with 8 series × 36,000 points (target
 * ≤ 16 ms), in Debian's Chromium at 1400×860. The chart code is the pane's own
 * (src-renderer/src/features/monitor/chartFrameBench.ts, bundled here by Vite); no server, no VM.
 *
 *   node bin/run-ts.mjs bench/chart-frame.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';
import { launchChromium } from '../e2e/browser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'src-renderer/src/features/monitor/chartFrameBench.ts');
const GLOBAL = 'BenchtopChartFrame';

async function bundle(): Promise<{ js: string; css: string }> {
  const out = (await build({
    configFile: false,
    logLevel: 'warn',
    root,
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      cssCodeSplit: false,
      lib: { entry, formats: ['iife'], name: GLOBAL, fileName: 'chart-frame' },
    },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const files = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output);
  const js = files.find((f): f is Rollup.OutputChunk => f.type === 'chunk')?.code;
  const css = files.filter((f): f is Rollup.OutputAsset => f.type === 'asset' && f.fileName.endsWith('.css')).map((f) => String(f.source)).join('\n');
  if (!js) throw new Error('chart bench: Vite produced no script');
  return { js, css };
}

export async function benchChartFrame(): Promise<{ chart_frame_ms_8x36k: number }> {
  const r = await measureChartFrame();
  return { chart_frame_ms_8x36k: r.median_ms };
}

export async function measureChartFrame(opts: object = {}): Promise<{ median_ms: number; p90_ms: number; frames: number }> {
  const { js, css } = await bundle();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, deviceScaleFactor: 1 });
    page.on('pageerror', (e) => console.error('chart bench page error:', e));
    await page.setContent('<!doctype html><html><body style="margin:0;background:#1f1f1f;color:#ccc"></body></html>');
    await page.addStyleTag({ content: css });
    await page.addScriptTag({ content: js });
    return await page.evaluate(
      async ([name, o]) => {
        const lib = (globalThis as unknown as Record<string, { runChartFrameBench(o?: object): Promise<{ median_ms: number; p90_ms: number; frames: number }> }>)[name as string]!;
        return lib.runChartFrameBench({ frames: 60, ...(o as object) });
      },
      [GLOBAL, opts] as const,
    );
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await measureChartFrame(process.env.CHART_BENCH_OPTS ? JSON.parse(process.env.CHART_BENCH_OPTS) : {});
  console.log(JSON.stringify({ chart_frame_ms_8x36k: Math.round(r.median_ms * 100) / 100, p90_ms: Math.round(r.p90_ms * 100) / 100, frames: r.frames }));
}
