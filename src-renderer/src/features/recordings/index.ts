/** The Recordings feature's public API: record, the explorer section, the editor, the app wiring. */
export { RecordButton } from './RecordButton';
export { RecordingsSection } from './RecordingsSection';
export { RecordingEditor } from './RecordingEditor';
export { useRecordingsFeed, closeRecording } from './useRecordingsFeed';
export { useRecordings } from './recordingsStore';
