/** Time ↔ pixels of the Timeline view, its axis ticks and labels, and key/text labels. Pure. */

export interface Viewport {
  /** Time at the left edge of the plot, µs (may be negative: room before 0). */
  startUs: number;
  usPerPx: number;
  /** Width of the plot area, px. */
  widthPx: number;
}

/** Finest zoom: 10 µs per pixel. Coarsest: a day across the view. */
export const MIN_US_PER_PX = 10;
export const MAX_SPAN_US = 24 * 3600 * 1e6;

export const xOf = (vp: Viewport, tUs: number) => (tUs - vp.startUs) / vp.usPerPx;
export const tOf = (vp: Viewport, x: number) => vp.startUs + x * vp.usPerPx;

function clampScale(vp: Viewport, usPerPx: number): number {
  const max = MAX_SPAN_US / Math.max(1, vp.widthPx);
  return Math.min(max, Math.max(MIN_US_PER_PX, usPerPx));
}

/** Zoom by `factor` (> 1 = out) keeping the time under `x` where it is. */
export function zoomAround(vp: Viewport, x: number, factor: number): Viewport {
  const at = tOf(vp, x);
  const usPerPx = clampScale(vp, vp.usPerPx * factor);
  return clampStart({ ...vp, usPerPx, startUs: at - x * usPerPx });
}

export function panBy(vp: Viewport, dxPx: number): Viewport {
  return clampStart({ ...vp, startUs: vp.startUs - dxPx * vp.usPerPx });
}

/** Keep some of the recording in view: at most a tenth of the view before 0. */
export function clampStart(vp: Viewport): Viewport {
  const minStart = -0.1 * vp.widthPx * vp.usPerPx;
  const maxStart = MAX_SPAN_US;
  return { ...vp, startUs: Math.min(maxStart, Math.max(minStart, vp.startUs)) };
}

/** The whole of [0, durationUs] with a margin on both sides. */
export function fitView(durationUs: number, widthPx: number): Viewport {
  const span = Math.max(durationUs, 100_000) * 1.06;
  const vp = { startUs: 0, usPerPx: 1, widthPx };
  const usPerPx = clampScale(vp, span / Math.max(1, widthPx));
  return { startUs: -0.03 * span, usPerPx, widthPx };
}

/** Tick spacing: 1, 2 or 5 × 10^k µs, at least `minPx` apart. */
export function tickStep(usPerPx: number, minPx = 90): number {
  const want = usPerPx * minPx;
  let pow = 10 ** Math.floor(Math.log10(Math.max(1, want)));
  for (;;) {
    for (const m of [1, 2, 5]) if (m * pow >= want) return m * pow;
    pow *= 10;
  }
}

function decimals(stepUs: number, unitUs: number): number {
  return Math.max(0, Math.ceil(-Math.log10(stepUs / unitUs) - 1e-9));
}

/** An axis label: ms below 1 s, seconds from 1 s, m:ss from a minute; as precise as the step. */
export function formatTick(tUs: number, stepUs: number): string {
  const neg = tUs < 0 ? '−' : '';
  const a = Math.abs(tUs);
  if (stepUs < 1e6) {
    if (a < 1e6) return `${neg}${(a / 1000).toFixed(decimals(stepUs, 1000))} ms`;
    return `${neg}${(a / 1e6).toFixed(decimals(stepUs, 1e6))} s`;
  }
  // Whole seconds: "12 s" for a short view, m:ss once the view spans minutes.
  if (a < 60e6 && stepUs < 10e6) return `${neg}${Math.round(a / 1e6)} s`;
  const m = Math.floor(a / 60e6);
  const s = (a - m * 60e6) / 1e6;
  return `${neg}${m}:${s.toFixed(0).padStart(2, '0')}`;
}

/** A duration or time for the toolbar and inspector: "850 ms", "12.345 s", "2:05.1". */
export function formatDurationUs(us: number): string {
  if (us < 1e6) return `${(us / 1000).toFixed(us % 1000 === 0 ? 0 : 3)} ms`;
  if (us < 60e6) return `${(us / 1e6).toFixed(3)} s`;
  const m = Math.floor(us / 60e6);
  return `${m}:${((us - m * 60e6) / 1e6).toFixed(1).padStart(4, '0')}`;
}

/** µs → "1234.567" ms (the inspector's editable field). */
export const usToMsText = (us: number) => (us / 1000).toFixed(3).replace(/\.?0+$/, '');

/** "1234.567" ms → integer µs, or null. */
export function msTextToUs(text: string): number | null {
  const v = Number(text.trim().replace(',', '.'));
  if (!text.trim() || !Number.isFinite(v) || v < 0) return null;
  return Math.round(v * 1000);
}

const KEY_LABELS: Record<string, string> = {
  ret: '⏎',
  kp_enter: '⏎',
  spc: '␣',
  shift: '⇧',
  shift_r: '⇧',
  ctrl: 'Ctrl',
  ctrl_r: 'Ctrl',
  alt: 'Alt',
  alt_r: 'AltGr',
  backspace: '⌫',
  tab: '⇥',
  esc: 'Esc',
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  delete: 'Del',
};

export function keyLabel(key: string): string {
  return KEY_LABELS[key] ?? (/^kp_/.test(key) ? `kp${key.slice(3)}` : key);
}

/** Console bytes shown as one line: control characters as visible symbols. */
export function consoleLabel(data: string): string {
  let out = '';
  for (const ch of data) {
    const c = ch.codePointAt(0)!;
    if (ch === '\r' || ch === '\n') out += '⏎';
    else if (ch === '\t') out += '⇥';
    else if (c === 0x1b) out += '⎋';
    else if (c === 0x7f || c === 0x08) out += '⌫';
    else if (c < 0x20) out += `^${String.fromCharCode(c + 64)}`;
    else out += ch;
  }
  // Spaces alone would draw an empty chip.
  return out.trim() ? out : out.replace(/ /g, '␣');
}
