/** User commands on sessions: call the core, fold the answer into the store, report failures. */
import type { SessionSummary } from '../../../../src-shared/contract';
import type { Api } from '../../../../src-shared/transport';
import { reportError } from '../status/errorsStore';
import { ACTIONS, canRun, type SessionAction } from './actions';
import { useSessions } from './sessionsStore';
import type { InputDevice } from '../../../../src-shared/features/recording';

function nameOf(id: string): string {
  return useSessions.getState().byId[id]?.name ?? id;
}

export async function runAction(api: Api, id: string, action: SessionAction): Promise<void> {
  const st = useSessions.getState();
  const s = st.byId[id];
  if (!s || !canRun(action, s.state) || st.busy[id]?.includes(action)) return;
  st.setBusy(id, action, true);
  try {
    const out = await api.sessions[action]({ id });
    useSessions.getState().upsert(out);
  } catch (err) {
    reportError(`${ACTIONS[action].label} ${nameOf(id)}`, err);
  } finally {
    useSessions.getState().setBusy(id, action, false);
  }
}

export async function createSession(api: Api, input: { name?: string; board: string; inputDevice?: InputDevice; deterministic?: boolean }): Promise<SessionSummary | null> {
  try {
    const s = await api.sessions.create({
      board: input.board,
      ...(input.name?.trim() ? { name: input.name.trim() } : {}),
      ...(input.inputDevice ? { inputDevice: input.inputDevice } : {}),
      ...(input.deterministic ? { deterministic: true } : {}),
    });
    const store = useSessions.getState();
    store.upsert(s);
    store.select(s.id);
    return s;
  } catch (err) {
    reportError('Create session', err);
    return null;
  }
}

export async function renameSession(api: Api, id: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed || trimmed === nameOf(id)) return;
  try {
    useSessions.getState().upsert(await api.sessions.rename({ id, name: trimmed }));
  } catch (err) {
    reportError(`Rename ${nameOf(id)}`, err);
  }
}

export async function deleteSession(api: Api, id: string): Promise<void> {
  const name = nameOf(id);
  try {
    await api.sessions.delete({ id });
    useSessions.getState().remove(id);
  } catch (err) {
    reportError(`Delete ${name}`, err);
  }
}
