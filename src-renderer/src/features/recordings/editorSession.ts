/**
 * One recording open in the Timeline editor: the model being edited, the revision it came from,
 * and saving it as a new revision. Kept outside React (per recording, for the app's lifetime) so
 * switching to a session and back loses no edit; a failed save changes nothing here.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RecordingDoc } from '../../../../src-shared/features/recording';
import { describeError, reportError } from '../status/errorsStore';
import type { RecordingsApi } from './recordingsApi';
import { useRecordings } from './recordingsStore';
import { Timeline, type RecordedEvent, type TimelineDoc } from './timeline/model';

export interface EditorStatus {
  loading: boolean;
  loadError: string | null;
  saving: boolean;
  /** The last save's refusal (kept until the next save or load). */
  saveError: string | null;
  /** The revision shown (what was loaded or saved last). */
  rev: number | null;
  /** The latest revision when the document was loaded or saved: what a save builds on. */
  baseRev: number | null;
}

function sameEvent(a: RecordedEvent, b: RecordedEvent): boolean {
  if (a === b) return true;
  if (a.id !== b.id || a.t !== b.t || a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'key':
      return b.kind === 'key' && a.key === b.key && a.down === b.down;
    case 'console':
      return b.kind === 'console' && a.data === b.data;
    case 'marker':
      return b.kind === 'marker' && a.text === b.text;
  }
}

export function sameDoc(a: TimelineDoc, b: TimelineDoc): boolean {
  if (a === b) return true;
  if (a.speed !== b.speed || a.events.length !== b.events.length) return false;
  for (let i = 0; i < a.events.length; i++) if (!sameEvent(a.events[i]!, b.events[i]!)) return false;
  return true;
}

export class EditorSession {
  readonly timeline = new Timeline({ speed: 1, events: [] });
  readonly status: StoreApi<EditorStatus> = createStore<EditorStatus>(() => ({
    loading: false,
    loadError: null,
    saving: false,
    saveError: null,
    rev: null,
    baseRev: null,
  }));
  /** The document as saved (or loaded), to tell whether there are unsaved edits. */
  private saved: TimelineDoc = this.timeline.doc;
  /** The fields of the document the editor does not change (name, source, …). */
  private meta: Omit<RecordingDoc, 'events' | 'speed'> | null = null;
  private loadSeq = 0;

  constructor(
    private readonly api: RecordingsApi,
    readonly recordingId: string,
  ) {}

  get loaded(): boolean {
    return this.meta !== null;
  }

  get dirty(): boolean {
    return this.meta !== null && !sameDoc(this.timeline.doc, this.saved);
  }

  /** Load a revision (default the latest). Unsaved edits are dropped: the caller asks first. */
  async load(rev?: number): Promise<boolean> {
    const seq = ++this.loadSeq;
    this.status.setState({ loading: true, loadError: null });
    try {
      const got = await this.api.get(rev === undefined ? { recordingId: this.recordingId } : { recordingId: this.recordingId, rev });
      if (seq !== this.loadSeq) return false;
      const { events, speed, ...meta } = got.doc;
      this.meta = meta;
      this.saved = { speed, events };
      this.timeline.reset(this.saved);
      const latest = Math.max(got.rev, useRecordings.getState().byId[this.recordingId]?.rev ?? 0);
      this.status.setState({ loading: false, rev: got.rev, baseRev: latest, saveError: null });
      return true;
    } catch (err) {
      if (seq !== this.loadSeq) return false;
      this.status.setState({ loading: false, loadError: describeError(err).message });
      return false;
    }
  }

  /** The document to save: the loaded one's other fields with the edited events and speed. */
  document(): RecordingDoc | null {
    if (!this.meta) return null;
    const { speed, events } = this.timeline.doc;
    return { ...this.meta, speed, events: [...events] };
  }

  /** Save as a new revision on top of `baseRev`. A refusal (someone saved meanwhile) keeps every edit. */
  async save(): Promise<boolean> {
    const doc = this.document();
    const { baseRev, saving } = this.status.getState();
    if (!doc || baseRev === null || saving) return false;
    const docAtSave = this.timeline.doc;
    this.status.setState({ saving: true, saveError: null });
    try {
      const summary = await this.api.save({ recordingId: this.recordingId, baseRev, doc });
      useRecordings.getState().upsert(summary);
      // Edits made while the save was in flight stay unsaved (the history is kept either way).
      this.saved = docAtSave;
      this.status.setState({ saving: false, rev: summary.rev, baseRev: summary.rev });
      this.timeline.reset(this.timeline.doc, true);
      return true;
    } catch (err) {
      const message = describeError(err).message;
      this.status.setState({ saving: false, saveError: message });
      reportError(`Save ${doc.name}`, err);
      return false;
    }
  }
}

const sessions = new Map<string, EditorSession>();

/** The editor of a recording, made (and loaded) on first use. */
export function editorFor(api: RecordingsApi, recordingId: string): EditorSession {
  let s = sessions.get(recordingId);
  if (!s) {
    s = new EditorSession(api, recordingId);
    sessions.set(recordingId, s);
  }
  return s;
}

export function forgetEditor(recordingId: string): void {
  sessions.delete(recordingId);
}
