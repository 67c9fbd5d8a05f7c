/** Deterministic mode's public API: the toolbar chip, the Overview card, the costs text. */
export { DeterminismBadge } from './DeterminismBadge';
export { DeterminismCard, RR_COSTS } from './DeterminismCard';
