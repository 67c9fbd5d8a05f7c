/** How the Monitor pane writes its quantities (axis ticks, legends, the top table). Pure. */

const trim = (x: number, digits: number) => {
  const s = x.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
};

/** Digits for a value shown in a narrow column: 3 significant, no more than 2 decimals. */
function compact(x: number): string {
  const a = Math.abs(x);
  return trim(x, a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

/** KiB → "512 KiB", "12.3 MiB", "1.25 GiB". */
export function formatKiB(kb: number): string {
  if (!Number.isFinite(kb)) return '—';
  if (Math.abs(kb) < 1024) return `${compact(kb)} KiB`;
  if (Math.abs(kb) < 1024 * 1024) return `${compact(kb / 1024)} MiB`;
  return `${compact(kb / 1024 / 1024)} GiB`;
}

/** MiB (the charts' memory unit) → the same readable text. */
export function formatMiB(mib: number): string {
  return formatKiB(mib * 1024);
}

/** 0.123 → "0.12 %", 42.06 → "42.1 %". */
export function formatPct(x: number): string {
  return Number.isFinite(x) ? `${compact(x)} %` : '—';
}

/** Events per second: "0 /s", "12.5 /s", "1.2k /s", "3.4M /s". */
export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 1e6) return `${compact(x / 1e6)}M /s`;
  if (a >= 1e3) return `${compact(x / 1e3)}k /s`;
  return `${compact(x)} /s`;
}

/** Axis ticks carry the unit once per tick without decimals noise. */
export function tickText(kind: 'pct' | 'mib' | 'rate', v: number): string {
  if (v === 0) return '0';
  if (kind === 'pct') return `${trim(v, 1)} %`;
  if (kind === 'rate') return formatRate(v);
  return formatMiB(v);
}

/** Samples per second as a short text: "10 Hz", "0.5 Hz". */
export function formatHz(hz: number): string {
  return `${trim(hz, 2)} Hz`;
}
