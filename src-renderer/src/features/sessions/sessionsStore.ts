/** Sessions as the server reports them (list + `session.changed`), the selection, the boards. */
import { create } from 'zustand';
import type { BoardInfo, SessionSummary } from '../../../../src-shared/contract';
import type { SessionAction } from './actions';

export interface SessionsState {
  byId: Record<string, SessionSummary>;
  /** Ids, newest first. */
  order: string[];
  selectedId: string | null;
  boards: BoardInfo[];
  /** True after the first list arrived. */
  loaded: boolean;
  /** Calls in flight per session, so a button cannot be hit twice. */
  busy: Record<string, SessionAction[]>;

  setAll(list: SessionSummary[]): void;
  upsert(s: SessionSummary): void;
  remove(id: string): void;
  select(id: string | null): void;
  setBoards(boards: BoardInfo[]): void;
  setBusy(id: string, action: SessionAction, busy: boolean): void;
}

/** The selection survives a reload of the page (per tab). */
const SELECTED_KEY = 'benchtop.selected';

function loadSelected(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(SELECTED_KEY) ?? null;
  } catch {
    return null;
  }
}

function saveSelected(id: string | null): void {
  try {
    if (id) globalThis.sessionStorage?.setItem(SELECTED_KEY, id);
    else globalThis.sessionStorage?.removeItem(SELECTED_KEY);
  } catch {
    // not persisted
  }
}

export function sortIds(byId: Record<string, SessionSummary>): string[] {
  return Object.values(byId)
    .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id))
    .map((s) => s.id);
}

export const useSessions = create<SessionsState>((set) => ({
  byId: {},
  order: [],
  selectedId: loadSelected(),
  boards: [],
  loaded: false,
  busy: {},

  setAll: (list) =>
    set((st) => {
      const byId: Record<string, SessionSummary> = {};
      for (const s of list) byId[s.id] = s;
      const order = sortIds(byId);
      const selectedId = st.selectedId && byId[st.selectedId] ? st.selectedId : (order[0] ?? null);
      saveSelected(selectedId);
      return { byId, order, selectedId, loaded: true };
    }),

  upsert: (s) =>
    set((st) => {
      const known = st.byId[s.id];
      const byId = { ...st.byId, [s.id]: s };
      return {
        byId,
        order: known && known.createdAt === s.createdAt ? st.order : sortIds(byId),
        selectedId: st.selectedId ?? s.id,
      };
    }),

  remove: (id) =>
    set((st) => {
      if (!st.byId[id]) return {};
      const byId = { ...st.byId };
      delete byId[id];
      const idx = st.order.indexOf(id);
      const order = st.order.filter((x) => x !== id);
      let selectedId = st.selectedId;
      if (selectedId === id) {
        selectedId = order[Math.min(idx, order.length - 1)] ?? null;
        saveSelected(selectedId);
      }
      const busy = { ...st.busy };
      delete busy[id];
      return { byId, order, selectedId, busy };
    }),

  select: (id) => {
    saveSelected(id);
    set({ selectedId: id });
  },

  setBoards: (boards) => set({ boards }),

  setBusy: (id, action, busy) =>
    set((st) => {
      const cur = st.busy[id] ?? [];
      const next = busy ? [...cur.filter((a) => a !== action), action] : cur.filter((a) => a !== action);
      return { busy: { ...st.busy, [id]: next } };
    }),
}));

export function selectedSession(st: SessionsState): SessionSummary | null {
  return st.selectedId ? (st.byId[st.selectedId] ?? null) : null;
}
