/**
 * Keeps the Recordings store current for the app's lifetime: events from the start, the list on
 * every (re)connect, and the centre back to the session workspace when a session is picked.
 */
import { useEffect } from 'react';
import { useConnection } from '../../platform/connectionStore';
import { useSessions } from '../sessions/sessionsStore';
import { loadRecordings, recordingsApi, wireRecordingEvents } from './commands';
import { useRecordings } from './recordingsStore';

export function useRecordingsFeed(): void {
  useEffect(() => {
    const api = recordingsApi();
    const unsubs = wireRecordingEvents(api);
    if (useConnection.getState().phase === 'connected') void loadRecordings(api);
    unsubs.push(
      useConnection.subscribe((c, prev) => {
        if (c.phase === 'connected' && prev.phase !== 'connected') void loadRecordings(api);
      }),
      useSessions.subscribe((st, prev) => {
        if (st.selectedId !== prev.selectedId && st.selectedId) useRecordings.getState().open(null);
      }),
    );
    return () => unsubs.forEach((u) => u());
  }, []);
}

/** Picking a session (even the one already selected) shows its workspace again. */
export function closeRecording(): void {
  useRecordings.getState().open(null);
}
