/** Connection to the core as the status bar shows it. */
import { create } from 'zustand';

export type FrontDoor = 'electron' | 'websocket';
export type ConnectionPhase = 'connecting' | 'connected' | 'disconnected';

export interface ConnectionState {
  frontDoor: FrontDoor;
  phase: ConnectionPhase;
  /** When disconnected: the reason and when the next attempt is due (ms since epoch). */
  reason: string | null;
  retryAt: number | null;
  attempt: number;
  set(patch: Partial<Omit<ConnectionState, 'set'>>): void;
}

export const useConnection = create<ConnectionState>((set) => ({
  frontDoor: 'websocket',
  phase: 'connecting',
  reason: null,
  retryAt: null,
  attempt: 0,
  set: (patch) => set(patch),
}));
