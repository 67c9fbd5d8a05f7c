/** A recording document around a list of events, for the replay tests. */
import { RECORDING_FORMAT, type RecordingDoc } from '../../../src-shared/features/recording';

export const recordingOf = (events: RecordingDoc['events']): RecordingDoc => ({
  format: RECORDING_FORMAT,
  version: 1,
  name: 't',
  createdAt: '2026-11-22T00:00:00Z',
  source: { sessionId: null, board: 'mainstone', inputDevice: 'keypad' },
  speed: 1,
  events,
});
