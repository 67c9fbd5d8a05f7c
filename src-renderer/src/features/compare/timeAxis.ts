/** How the Compare charts write time: seconds since the replay's time zero (negative before it). Pure. */

const minus = (s: number) => (s < 0 ? '−' : '');

/** m:ss for a tick of a minute or more, or far from zero. */
function minutes(s: number, decimals: number): string {
  // Rounded first, so 119.99 s is 2:00 rather than 1:60.
  const a = Number(Math.abs(s).toFixed(decimals));
  const m = Math.floor(a / 60);
  const rest = (a - m * 60).toFixed(decimals);
  const [whole, frac] = rest.split('.');
  return `${minus(s)}${m}:${whole!.padStart(2, '0')}${frac ? `.${frac}` : ''}`;
}

/** Axis tick at `s` seconds when ticks are `incr` apart: "−2 s", "0", "1.5 s", "2:30". */
export function relTick(s: number, incr: number): string {
  if (Math.abs(s) < 1e-9) return '0';
  const decimals = incr >= 1 ? 0 : incr >= 0.1 ? 1 : incr >= 0.01 ? 2 : 3;
  if (Math.abs(s) >= 120) return minutes(s, decimals);
  return `${minus(s)}${Math.abs(s).toFixed(decimals)} s`;
}

/** Cursor time in the legend: "+12.345 s", "−1.200 s", "+2:03.456". */
export function relTime(s: number): string {
  const sign = s < 0 ? '−' : '+';
  if (Math.abs(s) >= 120) return `${sign}${minutes(Math.abs(s), 3)}`;
  return `${sign}${Math.abs(s).toFixed(3)} s`;
}
