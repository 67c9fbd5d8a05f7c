import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BenchtopError } from '../../../../src-shared/errors';
import { RECORDING_FORMAT, type RecordingDoc } from '../../../../src-shared/features/recording';
import { useErrors } from '../status/errorsStore';
import { deleteRecording, importRecording, startRecording, stopRecording, wireRecordingEvents } from './commands';
import { EditorSession } from './editorSession';
import type { RecordingsApi, RecordingsEventName, RecordingSummary, ReplayInfo } from './recordingsApi';
import { replaysOf, useRecordings } from './recordingsStore';

const summary = (id: string, patch: Partial<RecordingSummary> = {}): RecordingSummary => ({
  recordingId: id,
  name: `rec ${id}`,
  rev: 1,
  createdAt: 1000,
  updatedAt: 1000,
  events: 2,
  durationUs: 50_000,
  board: 'mainstone',
  sessionId: 'sess-1',
  ...patch,
});

const doc = (): RecordingDoc => ({
  format: RECORDING_FORMAT,
  version: 1,
  name: 'typing',
  createdAt: '2026-11-22T23:20:00.000Z',
  source: { sessionId: 'sess-1', board: 'mainstone', inputDevice: 'keypad' },
  speed: 1,
  events: [
    { id: 'e1', t: 0, kind: 'key', key: 'a', down: true },
    { id: 'e2', t: 50_000, kind: 'key', key: 'a', down: false },
  ],
});

const replay = (id: string, patch: Partial<ReplayInfo> = {}): ReplayInfo => ({
  replayId: id,
  recordingId: 'r00000001',
  rev: 1,
  sessionId: 'sess-1',
  iteration: 1,
  of: 1,
  speed: 1,
  state: 'running',
  startedAt: 5000,
  endedAt: null,
  injected: 0,
  total: 2,
  error: null,
  ...patch,
});

/** A fake of the feature's API: every method a vi.fn, events delivered by `emit`. */
function fakeApi() {
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const api = {
    recorderStart: vi.fn(async ({ id }: { id: string }) => ({ sessionId: id, recording: true, startedAt: 1234, events: 0 })),
    recorderStop: vi.fn(async () => summary('r00000009', { name: 'new one' })),
    recorderStatus: vi.fn(),
    list: vi.fn(async () => [summary('r00000001')]),
    get: vi.fn(async ({ rev }: { rev?: number }) => ({ recordingId: 'r00000001', rev: rev ?? 1, doc: doc() })),
    save: vi.fn(async ({ baseRev }: { baseRev: number }) => summary('r00000001', { rev: baseRev + 1 })),
    rename: vi.fn(),
    delete: vi.fn(async () => ({ ok: true as const })),
    import: vi.fn(async () => summary('r0000000a')),
    export: vi.fn(),
    replayStart: vi.fn(),
    replayCancel: vi.fn(),
    replayList: vi.fn(),
    replayReport: vi.fn(),
    on: (event: RecordingsEventName, l: (p: never) => void) => {
      const arr = listeners.get(event) ?? [];
      arr.push(l as (p: unknown) => void);
      listeners.set(event, arr);
      return () => {};
    },
  };
  const emit = (event: RecordingsEventName, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { api: api as unknown as RecordingsApi & typeof api, emit };
}

beforeEach(() => {
  useRecordings.setState({ byId: {}, order: [], loaded: false, openId: null, recorder: {}, recorderBusy: {}, replays: {} });
  useErrors.getState().clear();
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

describe('recorder commands', () => {
  it('stop turns the capture into a listed recording and opens it', async () => {
    const { api } = fakeApi();
    expect(await startRecording(api, 'sess-1', 'board one')).toBe(true);
    expect(useRecordings.getState().recorder['sess-1']).toMatchObject({ recording: true, startedAt: 1234 });
    const s = await stopRecording(api, 'sess-1', 'board one');
    expect(s?.recordingId).toBe('r00000009');
    const st = useRecordings.getState();
    expect(st.order).toEqual(['r00000009']);
    expect(st.openId).toBe('r00000009');
    expect(st.recorder['sess-1']?.recording).toBe(false);
    expect(st.recorderBusy['sess-1']).toBe(false);
  });

  it('a refused start is an error toast and leaves the recorder off', async () => {
    const { api } = fakeApi();
    api.recorderStart.mockRejectedValueOnce(new BenchtopError('invalid-state', 'session board one is stopped'));
    expect(await startRecording(api, 'sess-1', 'board one')).toBe(false);
    expect(useErrors.getState().errors.map((e) => [e.title, e.message])).toEqual([['Record board one', 'session board one is stopped']]);
    expect(useRecordings.getState().recorder['sess-1']).toBeUndefined();
  });
});

describe('recordings commands and events', () => {
  it('a bad import file shows the server reason and adds nothing', async () => {
    const { api } = fakeApi();
    api.import.mockRejectedValueOnce(new BenchtopError('bad-request', 'cannot import the recording: events.1.t: events must be sorted by time'));
    expect(await importRecording(api, 'x.btrec.json', '{}')).toBeNull();
    expect(useErrors.getState().errors[0]).toMatchObject({ title: 'Import x.btrec.json', message: expect.stringContaining('sorted by time') });
    expect(useRecordings.getState().order).toEqual([]);
  });

  it('an imported recording is listed and opened', async () => {
    const { api } = fakeApi();
    await importRecording(api, 'x.btrec.json', '{"format":"benchtop-recording"}');
    expect(api.import).toHaveBeenCalledWith({ text: '{"format":"benchtop-recording"}' });
    expect(useRecordings.getState().openId).toBe('r0000000a');
  });

  it('delete removes the recording and closes its editor', async () => {
    const { api } = fakeApi();
    useRecordings.getState().setAll([summary('r00000001'), summary('r00000002', { createdAt: 2000 })]);
    useRecordings.getState().open('r00000001');
    expect(await deleteRecording(api, 'r00000001')).toBe(true);
    expect(useRecordings.getState().order).toEqual(['r00000002']);
    expect(useRecordings.getState().openId).toBeNull();
  });

  it('events update summaries, recorder status and replays; late ones do not roll back', () => {
    const { api, emit } = fakeApi();
    wireRecordingEvents(api);
    emit('recordings.changed', summary('r00000001', { rev: 3 }));
    emit('recordings.changed', summary('r00000001', { rev: 2 }));
    expect(useRecordings.getState().byId['r00000001']?.rev).toBe(3);
    emit('recorder.status', { sessionId: 'sess-1', recording: true, startedAt: 10, events: 7 });
    expect(useRecordings.getState().recorder['sess-1']?.events).toBe(7);
    emit('replay.changed', replay('p00000001', { injected: 2, state: 'done' }));
    emit('replay.changed', replay('p00000001', { injected: 1, state: 'running' }));
    expect(useRecordings.getState().replays['p00000001']).toMatchObject({ state: 'done', injected: 2 });
    expect(replaysOf(useRecordings.getState().replays, 'r00000001').map((r) => r.replayId)).toEqual(['p00000001']);
    expect(replaysOf(useRecordings.getState().replays, 'r0000000f')).toEqual([]);
    useRecordings.getState().open('r00000001');
    emit('recordings.removed' as RecordingsEventName, { recordingId: 'r00000001' });
    expect(useRecordings.getState().byId['r00000001']).toBeUndefined();
    expect(useRecordings.getState().openId).toBeNull();
  });
});

describe('EditorSession', () => {
  it('saves the edited document on top of the revision it was loaded from', async () => {
    const { api } = fakeApi();
    useRecordings.getState().setAll([summary('r00000001')]);
    const ed = new EditorSession(api, 'r00000001');
    await ed.load();
    expect(ed.dirty).toBe(false);
    ed.timeline.select(['e2']);
    ed.timeline.moveSelected(10_000);
    ed.timeline.setSpeed(2);
    expect(ed.dirty).toBe(true);
    expect(await ed.save()).toBe(true);
    const sent = api.save.mock.calls[0]![0] as { baseRev: number; doc: RecordingDoc };
    expect(sent.baseRev).toBe(1);
    expect(sent.doc).toMatchObject({ name: 'typing', speed: 2, source: { board: 'mainstone' } });
    expect(sent.doc.events[1]).toMatchObject({ id: 'e2', t: 60_000 });
    expect(ed.dirty).toBe(false);
    expect(ed.status.getState()).toMatchObject({ rev: 2, baseRev: 2, saveError: null });
    expect(useRecordings.getState().byId['r00000001']?.rev).toBe(2);
    // Undo is still there after a save, and makes the document differ from the saved one again.
    expect(ed.timeline.undo()).toBe(true);
    expect(ed.dirty).toBe(true);
  });

  it('a conflicting save is shown and loses nothing', async () => {
    const { api } = fakeApi();
    const ed = new EditorSession(api, 'r00000001');
    await ed.load();
    ed.timeline.insertConsole(70_000, 'ls\r');
    api.save.mockRejectedValueOnce(new BenchtopError('invalid-state', 'recording r00000001 has revision 2 now, not 1: it was saved elsewhere meanwhile'));
    expect(await ed.save()).toBe(false);
    expect(ed.status.getState().saveError).toMatch(/saved elsewhere/);
    expect(useErrors.getState().errors).toHaveLength(1);
    expect(ed.dirty).toBe(true);
    expect(ed.timeline.doc.events.map((e) => e.kind)).toEqual(['key', 'key', 'console']);
    expect(ed.timeline.undoCount).toBe(1);
  });

  it('an older revision is edited on top of the latest', async () => {
    const { api } = fakeApi();
    useRecordings.getState().setAll([summary('r00000001', { rev: 5 })]);
    const ed = new EditorSession(api, 'r00000001');
    await ed.load(2);
    expect(api.get).toHaveBeenCalledWith({ recordingId: 'r00000001', rev: 2 });
    expect(ed.status.getState()).toMatchObject({ rev: 2, baseRev: 5 });
    ed.timeline.setSpeed(3);
    await ed.save();
    expect((api.save.mock.calls[0]![0] as { baseRev: number }).baseRev).toBe(5);
  });

  it('a slower earlier load does not overwrite a later one', async () => {
    const { api } = fakeApi();
    let release!: () => void;
    api.get.mockImplementationOnce(() => new Promise((r) => (release = () => r({ recordingId: 'r00000001', rev: 1, doc: { ...doc(), speed: 4 } }))));
    const ed = new EditorSession(api, 'r00000001');
    const first = ed.load(1);
    await ed.load(3);
    release();
    expect(await first).toBe(false);
    expect(ed.status.getState().rev).toBe(3);
    expect(ed.timeline.doc.speed).toBe(1);
  });
});
