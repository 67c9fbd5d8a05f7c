/** Deterministic mode's public API: the toolbar chip, the Overview card. */
export { DeterminismBadge } from './DeterminismBadge';
export { DeterminismCard } from './DeterminismCard';
