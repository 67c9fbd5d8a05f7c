import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LifecycleEvent } from '../../../../src-shared/contract';
import { HistoryLoader, useHistory } from './historyStore';

const ev = (kind: string): LifecycleEvent => ({ sessionId: 'a', at: 1, kind, detail: '' });

function fakeApi() {
  const calls: { id: string; resolve: (e: LifecycleEvent[]) => void; reject: (e: unknown) => void }[] = [];
  const api = {
    sessions: {
      history: (input?: { id: string }) =>
        new Promise<LifecycleEvent[]>((resolve, reject) => calls.push({ id: input!.id, resolve, reject })),
    },
  } as unknown as ConstructorParameters<typeof HistoryLoader>[0];
  return { api, calls };
}

describe('HistoryLoader', () => {
  beforeEach(() => useHistory.setState({ bySession: {}, loading: {}, error: {} }));
  afterEach(() => vi.useRealTimers());

  it('an older answer never overwrites a newer one', async () => {
    const { api, calls } = fakeApi();
    const h = new HistoryLoader(api);
    const first = h.refresh('a');
    const second = h.refresh('a');
    calls[1]!.resolve([ev('created'), ev('start')]);
    await second;
    calls[0]!.resolve([ev('created')]);
    await first;
    expect(useHistory.getState().bySession.a?.map((e) => e.kind)).toEqual(['created', 'start']);
    expect(useHistory.getState().loading.a).toBe(false);
  });

  it('records a failure for the pane', async () => {
    const { api, calls } = fakeApi();
    const h = new HistoryLoader(api);
    const p = h.refresh('a');
    calls[0]!.reject(new Error('nope'));
    await p;
    expect(useHistory.getState().error.a).toBe('nope');
  });

  it('coalesces bursts of changes into one fetch', () => {
    vi.useFakeTimers();
    const { api, calls } = fakeApi();
    const h = new HistoryLoader(api, undefined, 100);
    h.schedule('a');
    h.schedule('a');
    h.schedule('a');
    vi.advanceTimersByTime(99);
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(calls).toHaveLength(1);
  });
});
