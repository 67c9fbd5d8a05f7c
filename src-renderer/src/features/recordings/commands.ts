/**
 * What the Recordings controls do: each call goes to the server, its answer goes into the store,
 * and a failure becomes an error toast naming what the user was doing.
 */
import { getApi } from '../../platform/apiRef';
import { isConnectionError } from '../../platform/wsTransport';
import { reportError } from '../status/errorsStore';
import { recordingsApiFrom, type RecordingsApi, type RecordingSummary, type ReplayInfo } from './recordingsApi';
import { useRecordings } from './recordingsStore';

let cached: { from: unknown; api: RecordingsApi } | null = null;

/** The app's API as the Recordings feature sees it (built once per app API). */
export function recordingsApi(): RecordingsApi {
  const api = getApi();
  if (cached?.from !== api) cached = { from: api, api: recordingsApiFrom(api) };
  return cached.api;
}

function nameOf(recordingId: string): string {
  return useRecordings.getState().byId[recordingId]?.name ?? recordingId;
}

/** Subscribe to the feature's events (before any list is fetched, so none is missed). */
export function wireRecordingEvents(api: RecordingsApi): (() => void)[] {
  const st = () => useRecordings.getState();
  return [
    api.on('recordings.changed', (r) => st().upsert(r)),
    api.on('recorder.status', (s) => st().setRecorder(s)),
    api.on('replay.changed', (r) => st().upsertReplays([r])),
    // A recording deleted elsewhere (newer cores send this; the list on reconnect covers older ones).
    (api.on as (event: string, l: (p: unknown) => void) => () => void)('recordings.removed', (p) => {
      const id = (p as { recordingId?: unknown } | null)?.recordingId;
      if (typeof id === 'string') st().remove(id);
    }),
  ];
}

export async function loadRecordings(api: RecordingsApi): Promise<void> {
  try {
    useRecordings.getState().setAll(await api.list({}));
  } catch (err) {
    if (!isConnectionError(err)) reportError('Load recordings', err);
  }
}

export async function refreshRecorder(api: RecordingsApi, sessionId: string): Promise<void> {
  try {
    useRecordings.getState().setRecorder(await api.recorderStatus({ id: sessionId }));
  } catch {
    // A core without a recorder, or the session just went away: the button stays "Record".
  }
}

export async function startRecording(api: RecordingsApi, sessionId: string, sessionName: string): Promise<boolean> {
  const st = useRecordings.getState();
  if (st.recorderBusy[sessionId]) return false;
  st.setRecorderBusy(sessionId, true);
  try {
    useRecordings.getState().setRecorder(await api.recorderStart({ id: sessionId }));
    return true;
  } catch (err) {
    reportError(`Record ${sessionName}`, err);
    return false;
  } finally {
    useRecordings.getState().setRecorderBusy(sessionId, false);
  }
}

/** Stop: the capture becomes a recording, which the explorer lists and the editor opens. */
export async function stopRecording(api: RecordingsApi, sessionId: string, sessionName: string): Promise<RecordingSummary | null> {
  const st = useRecordings.getState();
  if (st.recorderBusy[sessionId]) return null;
  st.setRecorderBusy(sessionId, true);
  try {
    const summary = await api.recorderStop({ id: sessionId });
    const s = useRecordings.getState();
    s.upsert(summary);
    s.setRecorder({ sessionId, recording: false, startedAt: null, events: 0 });
    s.open(summary.recordingId);
    return summary;
  } catch (err) {
    reportError(`Stop recording ${sessionName}`, err);
    void refreshRecorder(api, sessionId);
    return null;
  } finally {
    useRecordings.getState().setRecorderBusy(sessionId, false);
  }
}

export async function importRecording(api: RecordingsApi, fileName: string, text: string): Promise<RecordingSummary | null> {
  try {
    const summary = await api.import({ text });
    useRecordings.getState().upsert(summary);
    useRecordings.getState().open(summary.recordingId);
    return summary;
  } catch (err) {
    reportError(`Import ${fileName}`, err);
    return null;
  }
}

export async function exportRecording(api: RecordingsApi, recordingId: string, rev?: number): Promise<{ fileName: string; text: string } | null> {
  try {
    return await api.export(rev === undefined ? { recordingId } : { recordingId, rev });
  } catch (err) {
    reportError(`Export ${nameOf(recordingId)}`, err);
    return null;
  }
}

export async function renameRecording(api: RecordingsApi, recordingId: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed || trimmed === useRecordings.getState().byId[recordingId]?.name) return;
  try {
    useRecordings.getState().upsert(await api.rename({ recordingId, name: trimmed }));
  } catch (err) {
    reportError(`Rename ${nameOf(recordingId)}`, err);
  }
}

export async function deleteRecording(api: RecordingsApi, recordingId: string): Promise<boolean> {
  const name = nameOf(recordingId);
  try {
    await api.delete({ recordingId });
    useRecordings.getState().remove(recordingId);
    return true;
  } catch (err) {
    reportError(`Delete ${name}`, err);
    return false;
  }
}

export async function loadReplays(api: RecordingsApi, recordingId: string): Promise<void> {
  try {
    useRecordings.getState().upsertReplays(await api.replayList({ recordingId }));
  } catch (err) {
    if (!isConnectionError(err)) reportError(`Load the replays of ${nameOf(recordingId)}`, err);
  }
}

export async function startReplay(
  api: RecordingsApi,
  o: { recordingId: string; rev: number; sessionId: string; repeat: number; speed?: number },
): Promise<ReplayInfo[] | null> {
  try {
    const list = await api.replayStart({ recordingId: o.recordingId, rev: o.rev, id: o.sessionId, repeat: o.repeat, ...(o.speed !== undefined ? { speed: o.speed } : {}) });
    useRecordings.getState().upsertReplays(list);
    return list;
  } catch (err) {
    reportError(`Replay ${nameOf(o.recordingId)}`, err);
    return null;
  }
}

export async function cancelReplay(api: RecordingsApi, replayId: string): Promise<void> {
  try {
    useRecordings.getState().upsertReplays([await api.replayCancel({ replayId })]);
  } catch (err) {
    reportError('Cancel the replay', err);
  }
}
