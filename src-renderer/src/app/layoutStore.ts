/** Layout of the shell: active centre tab, pane sizes (kept in localStorage). */
import { create } from 'zustand';

export type CentreTab = 'terminal' | 'screen' | 'host' | 'files' | 'processes' | 'monitor' | 'overview';

export interface LayoutState {
  tab: CentreTab;
  sidebarWidth: number;
  panelHeight: number;
  panelOpen: boolean;
  setTab(tab: CentreTab): void;
  setSidebarWidth(px: number): void;
  setPanelHeight(px: number): void;
  togglePanel(): void;
}

const KEY = 'benchtop.layout';
export const SIDEBAR_MIN = 180;
export const SIDEBAR_MAX = 520;
export const PANEL_MIN = 90;

export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

interface Saved {
  sidebarWidth: number;
  panelHeight: number;
  panelOpen: boolean;
}

function load(): Partial<Saved> {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    const v: unknown = raw ? JSON.parse(raw) : null;
    return v && typeof v === 'object' ? (v as Partial<Saved>) : {};
  } catch {
    return {};
  }
}

function save(s: Saved): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(s));
  } catch {
    // not persisted; fine
  }
}

const saved = load();

export const useLayout = create<LayoutState>((set, get) => {
  const persist = () => {
    const { sidebarWidth, panelHeight, panelOpen } = get();
    save({ sidebarWidth, panelHeight, panelOpen });
  };
  return {
    tab: 'terminal',
    sidebarWidth: clamp(Number(saved.sidebarWidth) || 260, SIDEBAR_MIN, SIDEBAR_MAX),
    panelHeight: Math.max(PANEL_MIN, Number(saved.panelHeight) || 200),
    panelOpen: saved.panelOpen ?? true,
    setTab: (tab) => set({ tab }),
    setSidebarWidth: (px) => {
      set({ sidebarWidth: clamp(Math.round(px), SIDEBAR_MIN, SIDEBAR_MAX) });
      persist();
    },
    setPanelHeight: (px) => {
      set({ panelHeight: Math.max(PANEL_MIN, Math.round(px)) });
      persist();
    },
    togglePanel: () => {
      set((st) => ({ panelOpen: !st.panelOpen }));
      persist();
    },
  };
});
