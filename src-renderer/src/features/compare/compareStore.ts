/**
 * Whether the Compare view is open, and on which replays: the recordings UI opens it with one
 * call, `useCompare.getState().open(ids)`, and the app shows `<ComparePane>` while `replayIds`
 * is not null.
 */
import { create } from 'zustand';

export interface CompareState {
  /** The replays compared, in the order picked (the first finished one is the baseline); null: closed. */
  replayIds: string[] | null;
  open(replayIds: readonly string[]): void;
  close(): void;
}

export const useCompare = create<CompareState>((set) => ({
  replayIds: null,
  // The same replay picked twice would be compared with itself.
  open: (replayIds) => set({ replayIds: [...new Set(replayIds)] }),
  close: () => set({ replayIds: null }),
}));
