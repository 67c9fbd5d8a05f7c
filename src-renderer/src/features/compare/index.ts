/**
 * The Compare feature's public API: the pane, and the store that opens it
 * (`useCompare.getState().open(replayIds)`; show `<ComparePane>` while `replayIds` is not null).
 */
export { ComparePane, type ComparePaneProps } from './ComparePane';
export { useCompare, type CompareState } from './compareStore';
