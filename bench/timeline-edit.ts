/**
 * timeline_edit_frame_ms_10k: one frame of a drag in the Timeline editor — 1,000 selected of
 * 10,000 events moved by Δt (the model's drag preview) and the canvas redrawn with the whole
 * recording in view — median over 60 frames (target ≤ 16 ms), in Debian's Chromium at 1400×860.
 * The code is the editor's own (src-renderer/src/features/recordings/timeline/timelineFrameBench.ts,
 * bundled here by Vite); no server, no VM.
 *
 *   node bin/run-ts.mjs bench/timeline-edit.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';
import { launchChromium } from '../e2e/browser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'src-renderer/src/features/recordings/timeline/timelineFrameBench.ts');
const GLOBAL = 'BenchtopTimelineFrame';

type Result = { median_ms: number; p90_ms: number; model_median_ms: number; frames: number; events: number; selected: number };

async function bundle(): Promise<string> {
  const out = (await build({
    configFile: false,
    logLevel: 'warn',
    root,
    build: { write: false, minify: true, target: 'es2022', lib: { entry, formats: ['iife'], name: GLOBAL, fileName: 'timeline-frame' } },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const js = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).find((f): f is Rollup.OutputChunk => f.type === 'chunk')?.code;
  if (!js) throw new Error('timeline bench: Vite produced no script');
  return js;
}

export async function benchTimelineEdit(): Promise<{ timeline_edit_frame_ms_10k: number }> {
  const r = await measureTimelineEdit();
  return { timeline_edit_frame_ms_10k: r.median_ms };
}

export async function measureTimelineEdit(opts: object = {}): Promise<Result> {
  const js = await bundle();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, deviceScaleFactor: 1 });
    page.on('pageerror', (e) => console.error('timeline bench page error:', e));
    await page.setContent('<!doctype html><html><body style="margin:0;background:#1f1f1f;color:#ccc"></body></html>');
    await page.addScriptTag({ content: js });
    const r = await page.evaluate(
      async ([name, o]) => {
        const lib = (globalThis as unknown as Record<string, { runTimelineFrameBench(o?: object): Promise<Result> }>)[name as string]!;
        return lib.runTimelineFrameBench({ frames: 60, ...(o as object) });
      },
      [GLOBAL, opts] as const,
    );
    if (r.events !== 10_000 && !('events' in opts)) throw new Error(`timeline bench: ${r.events} events, not 10,000`);
    if (r.frames < 30) throw new Error(`timeline bench: only ${r.frames} frames`);
    return r;
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await measureTimelineEdit(process.env.TIMELINE_BENCH_OPTS ? JSON.parse(process.env.TIMELINE_BENCH_OPTS) : {});
  console.log(JSON.stringify({ timeline_edit_frame_ms_10k: Math.round(r.median_ms * 100) / 100, p90_ms: Math.round(r.p90_ms * 100) / 100, model_ms: Math.round(r.model_median_ms * 100) / 100, frames: r.frames, events: r.events, selected: r.selected }));
}
