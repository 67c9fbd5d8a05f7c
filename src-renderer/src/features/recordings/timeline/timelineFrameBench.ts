/**
 * Benchmark of one Timeline drag frame at 10,000 events: 1,000 of them selected and moved by a
 * new Δt (the model's drag preview: clamp, re-place, re-pair the key bars) and the canvas redrawn
 * with the whole recording in view (the worst case: every event is in the visible range).
 * bench/timeline-edit.ts bundles this file and runs it in Chromium; it is not part of the app.
 */
import { Timeline, type RecordedEvent } from './model';
import { TimelineView } from './timelineView';

export interface TimelineFrameResult {
  median_ms: number;
  p90_ms: number;
  /** Of which the model's drag preview (the rest: the index of bars and the redraw). */
  model_median_ms: number;
  frames: number;
  events: number;
  selected: number;
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'l', 's', 'spc', 'ret', 'shift', 'up', 'kp_1'];

/** Typing-like events (deterministic): key strokes, console chunks, a marker now and then. */
export function benchEvents(n: number): RecordedEvent[] {
  let seed = 4242;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const out: RecordedEvent[] = [];
  let t = 0;
  let id = 1;
  while (out.length < n) {
    t += Math.round(20_000 + rand() * 120_000);
    const r = rand();
    if (r < 0.8 && out.length + 2 <= n) {
      const key = KEYS[Math.floor(rand() * KEYS.length)]!;
      const hold = Math.round(40_000 + rand() * 90_000);
      out.push({ id: `e${id++}`, t, kind: 'key', key, down: true });
      out.push({ id: `e${id++}`, t: t + hold, kind: 'key', key, down: false });
    } else if (r < 0.97) out.push({ id: `e${id++}`, t, kind: 'console', data: rand() < 0.5 ? 'ls -l /tmp\r' : 'cat /proc/uptime\r' });
    else out.push({ id: `e${id++}`, t, kind: 'marker', text: `step ${id}` });
  }
  return out.sort((a, b) => a.t - b.t);
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

export async function runTimelineFrameBench(o: { events?: number; selected?: number; frames?: number; width?: number; height?: number } = {}): Promise<TimelineFrameResult> {
  const n = o.events ?? 10_000;
  const selectedCount = o.selected ?? 1000;
  const frames = o.frames ?? 60;
  const events = benchEvents(n);
  const tl = new Timeline({ speed: 1, events });
  // Every tenth event: the moved ones are spread over the whole recording, as after a range select.
  const step = Math.max(1, Math.floor(n / selectedCount));
  tl.select(events.filter((_, i) => i % step === 0).slice(0, selectedCount).map((e) => e.id));
  const host = document.createElement('div');
  host.style.cssText = `width:${o.width ?? 1100}px;height:${o.height ?? 230}px;position:relative`;
  document.body.appendChild(host);
  const view = new TimelineView(host, tl);
  view.setSize(o.width ?? 1100, o.height ?? 230);
  view.fit();
  view.draw();
  const ctx = view.canvas.getContext('2d')!;
  tl.beginDrag();
  const times: number[] = [];
  const modelTimes: number[] = [];
  for (let f = 0; f < frames + 5; f++) {
    await nextFrame();
    const t0 = performance.now();
    // What a pointermove of a drag does, then the frame's redraw.
    tl.dragTo((f + 1) * 1000 * (f % 2 ? -1 : 1) + 50_000);
    const t1 = performance.now();
    view.draw();
    // Reading a pixel makes the canvas rasterise now, so the time includes the drawing itself.
    ctx.getImageData(0, 0, 1, 1);
    const dt = performance.now() - t0;
    if (f >= 5) {
      // the first frames warm the JIT up
      times.push(dt);
      modelTimes.push(t1 - t0);
    }
  }
  tl.endDrag();
  view.destroy();
  host.remove();
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const model = [...modelTimes].sort((a, b) => a - b);
  return { median_ms: at(0.5), p90_ms: at(0.9), model_median_ms: model[model.length >> 1]!, frames: times.length, events: n, selected: tl.selection.size };
}
