/** Deterministic mode's calls: list a session's recorded runs, start a reproduction of one. */
import type { RecordedRun } from '../../../../src-shared/features/determinism';
import type { Api } from '../../../../src-shared/transport';
import { useSessions } from '../sessions/sessionsStore';
import { reportError } from '../status/errorsStore';

export async function loadRecordedRuns(api: Api, id: string): Promise<RecordedRun[] | null> {
  try {
    return await api.determinism.runs({ id });
  } catch (err) {
    reportError('Recorded runs', err);
    return null;
  }
}

/** Start a reproduction and select it: its console then shows the replay as it happens. */
export async function reproduce(api: Api, id: string, run: number): Promise<string | null> {
  try {
    const { sessionId } = await api.determinism.reproduce({ id, run });
    const s = await api.sessions.list({});
    const store = useSessions.getState();
    for (const x of s) store.upsert(x);
    store.select(sessionId);
    return sessionId;
  } catch (err) {
    reportError(`Reproduce run ${run}`, err);
    return null;
  }
}
