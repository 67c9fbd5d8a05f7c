/** Record / Stop recording in the session toolbar: what is typed into the running session is captured. */
import { useEffect } from 'react';
import type { SessionSummary } from '../../../../src-shared/contract';
import { useConnection } from '../../platform/connectionStore';
import { formatDuration } from '../../ui/format';
import { useNow } from '../../ui/useNow';
import { recordingsApi, refreshRecorder, startRecording, stopRecording } from './commands';
import { useRecordings } from './recordingsStore';
import './recordings.css';

export function RecordButton({ session }: { session: SessionSummary }) {
  const status = useRecordings((s) => s.recorder[session.id]);
  const busy = useRecordings((s) => !!s.recorderBusy[session.id]);
  const connected = useConnection((c) => c.phase === 'connected');
  const running = session.state === 'running';
  const recording = !!status?.recording;
  const now = useNow(1000, recording);

  // After a reload the server may still be recording this session: ask once it runs.
  useEffect(() => {
    if (connected && running) void refreshRecorder(recordingsApi(), session.id);
  }, [connected, running, session.id]);

  const enabled = connected && !busy && (recording || running);
  const why = !connected ? ' — not connected' : !recording && !running ? ` — the session is ${session.state}: start it to record` : '';
  return (
    <>
      <span className="rec-sep" aria-hidden="true" />
      <button
      className={`tool-button action-record${recording ? ' recording' : ''}${busy ? ' busy' : ''}`}
      data-testid="action-record"
      data-recording={recording}
      disabled={!enabled}
      title={recording ? `Stop recording: the capture becomes a recording in the explorer${why}` : `Record what you type into ${session.name} (keys, console text, guest markers)${why}`}
      onClick={() => void (recording ? stopRecording(recordingsApi(), session.id, session.name) : startRecording(recordingsApi(), session.id, session.name))}
    >
      <span className={`rec-dot${recording ? ' live' : ''}`} aria-hidden="true" />
      {recording ? (
        <>
          <span>Stop recording</span>
          <span className="rec-meta" data-testid="record-elapsed">
            {formatDuration(Math.max(0, now - (status?.startedAt ?? now)))}
          </span>
          <span className="rec-meta" data-testid="record-events" data-count={status?.events ?? 0}>
            {(status?.events ?? 0).toLocaleString('en')} event{status?.events === 1 ? '' : 's'}
          </span>
        </>
      ) : (
        <span>Record</span>
      )}
      </button>
    </>
  );
}
