/** Which IRQ lines the rates chart shows by default, and how a line is named. Pure. */
import type { IrqLine } from '../../../../src-shared/features/monitor';

/** Lines charted when the user has not picked any. */
export const DEFAULT_IRQ_LINES = 5;

/** The `n` busiest lines by mean rate, busiest first; idle lines only when nothing else fires. */
export function busiestIrqLines(means: ReadonlyMap<string, number>, n = DEFAULT_IRQ_LINES): string[] {
  const all = [...means.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'en', { numeric: true }));
  const firing = all.filter(([, v]) => v > 0);
  return (firing.length ? firing : all).slice(0, n).map(([id]) => id);
}

/**
 * "25 pxa2xx-mci" from id "25" and the rest of its /proc/interrupts line
 * ("SC 25 Level pxa2xx-mci"): the action names after the trigger word say most; when the line has
 * no trigger word, its whole text.
 */
export function irqLabel(id: string, lines: readonly IrqLine[]): string {
  const line = lines.find((l) => l.id === id);
  if (!line) return id;
  const words = line.name.trim().split(/\s+/).filter(Boolean);
  const trigger = words.findIndex((w) => /^(edge|level)$/i.test(w));
  const actions = trigger >= 0 ? words.slice(trigger + 1) : words;
  const text = actions.join(' ') || words.join(' ');
  return text ? `${id} ${text}` : id;
}

/** The union of the lines the run declares and the lines that appeared in samples, in /proc order. */
export function knownIrqIds(lines: readonly IrqLine[], seen: readonly string[]): string[] {
  const ids = lines.map((l) => l.id);
  for (const id of seen) if (!ids.includes(id)) ids.push(id);
  return ids;
}
