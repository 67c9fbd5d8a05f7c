/**
 * Recordings as the server reports them (list + `recordings.changed`), which one the editor
 * shows, each session's recorder status, and the replays seen (list + `replay.changed`).
 */
import { create } from 'zustand';
import type { RecorderStatus, RecordingSummary, ReplayInfo } from './recordingsApi';

export interface RecordingsState {
  byId: Record<string, RecordingSummary>;
  /** Ids, newest first. */
  order: string[];
  loaded: boolean;
  /** The recording shown in the centre instead of the session workspace. */
  openId: string | null;
  recorder: Record<string, RecorderStatus>;
  /** Record/Stop calls in flight per session, so the button cannot be hit twice. */
  recorderBusy: Record<string, boolean>;
  replays: Record<string, ReplayInfo>;

  setAll(list: RecordingSummary[]): void;
  upsert(r: RecordingSummary): void;
  remove(id: string): void;
  open(id: string | null): void;
  setRecorder(s: RecorderStatus): void;
  setRecorderBusy(sessionId: string, busy: boolean): void;
  upsertReplays(list: ReplayInfo[]): void;
}

export function sortRecordings(byId: Record<string, RecordingSummary>): string[] {
  return Object.values(byId)
    .sort((a, b) => b.createdAt - a.createdAt || a.recordingId.localeCompare(b.recordingId))
    .map((r) => r.recordingId);
}

export const useRecordings = create<RecordingsState>((set) => ({
  byId: {},
  order: [],
  loaded: false,
  openId: null,
  recorder: {},
  recorderBusy: {},
  replays: {},

  setAll: (list) =>
    set((st) => {
      const byId: Record<string, RecordingSummary> = {};
      for (const r of list) byId[r.recordingId] = r;
      return { byId, order: sortRecordings(byId), loaded: true, openId: st.openId && byId[st.openId] ? st.openId : null };
    }),
  upsert: (r) =>
    set((st) => {
      const known = st.byId[r.recordingId];
      // A late event must not roll a summary back to an older revision.
      if (known && known.rev > r.rev) return {};
      const byId = { ...st.byId, [r.recordingId]: r };
      return { byId, order: known ? st.order : sortRecordings(byId) };
    }),
  remove: (id) =>
    set((st) => {
      if (!st.byId[id]) return {};
      const byId = { ...st.byId };
      delete byId[id];
      return { byId, order: st.order.filter((x) => x !== id), openId: st.openId === id ? null : st.openId };
    }),
  open: (id) => set({ openId: id }),
  setRecorder: (s) => set((st) => ({ recorder: { ...st.recorder, [s.sessionId]: s } })),
  setRecorderBusy: (sessionId, busy) => set((st) => ({ recorderBusy: { ...st.recorderBusy, [sessionId]: busy } })),
  upsertReplays: (list) =>
    set((st) => {
      if (!list.length) return {};
      const replays = { ...st.replays };
      for (const r of list) {
        const known = replays[r.replayId];
        // States only move forward; progress only grows (events may overtake a list answer).
        if (known && (rank(known.state) > rank(r.state) || (known.state === r.state && known.injected > r.injected))) continue;
        replays[r.replayId] = r;
      }
      return { replays };
    }),
}));

const RANKS: Record<ReplayInfo['state'], number> = { scheduled: 0, running: 1, done: 2, cancelled: 2, failed: 2 };
function rank(s: ReplayInfo['state']): number {
  return RANKS[s];
}

export function replaysOf(replays: Record<string, ReplayInfo>, recordingId: string): ReplayInfo[] {
  return Object.values(replays)
    .filter((r) => r.recordingId === recordingId)
    .sort((a, b) => (b.startedAt ?? Infinity) - (a.startedAt ?? Infinity) || b.replayId.localeCompare(a.replayId) || b.iteration - a.iteration);
}

export function isReplayActive(r: ReplayInfo): boolean {
  return r.state === 'scheduled' || r.state === 'running';
}
