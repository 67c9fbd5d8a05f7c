/** Lifecycle history of sessions (`sessions.history`), refetched when a session changes. */
import { create } from 'zustand';
import type { LifecycleEvent } from '../../../../src-shared/contract';
import type { Api } from '../../../../src-shared/transport';

export interface HistoryState {
  bySession: Record<string, LifecycleEvent[]>;
  loading: Record<string, boolean>;
  error: Record<string, string | undefined>;
  set(id: string, events: LifecycleEvent[]): void;
  setLoading(id: string, loading: boolean): void;
  setError(id: string, message: string | undefined): void;
  forget(id: string): void;
}

export const useHistory = create<HistoryState>((set) => ({
  bySession: {},
  loading: {},
  error: {},
  set: (id, events) => set((st) => ({ bySession: { ...st.bySession, [id]: events }, error: { ...st.error, [id]: undefined } })),
  setLoading: (id, loading) => set((st) => ({ loading: { ...st.loading, [id]: loading } })),
  setError: (id, message) => set((st) => ({ error: { ...st.error, [id]: message } })),
  forget: (id) =>
    set((st) => {
      const bySession = { ...st.bySession };
      const loading = { ...st.loading };
      const error = { ...st.error };
      delete bySession[id];
      delete loading[id];
      delete error[id];
      return { bySession, loading, error };
    }),
}));

type HistoryApi = Pick<Api, 'sessions'>;
type Store = Pick<HistoryState, 'set' | 'setLoading' | 'setError'>;

/**
 * Fetches history without letting an older answer overwrite a newer one, and coalesces the
 * bursts of `session.changed` a start produces into one fetch.
 */
export class HistoryLoader {
  private seq = 0;
  private latest = new Map<string, number>();
  private timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly api: HistoryApi,
    private readonly store: () => Store = () => useHistory.getState(),
    private readonly debounceMs = 150,
  ) {}

  async refresh(id: string): Promise<void> {
    const n = ++this.seq;
    this.latest.set(id, n);
    this.store().setLoading(id, true);
    try {
      const events = await this.api.sessions.history({ id });
      if (this.latest.get(id) === n) this.store().set(id, events);
    } catch (err) {
      if (this.latest.get(id) === n) this.store().setError(id, err instanceof Error ? err.message : String(err));
    } finally {
      if (this.latest.get(id) === n) this.store().setLoading(id, false);
    }
  }

  schedule(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        void this.refresh(id);
      }, this.debounceMs),
    );
  }

  cancel(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
    this.latest.delete(id);
  }
}
