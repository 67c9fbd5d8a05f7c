/**
 * Contract entries of the event manager (seed 000 §3.2): record what the user types into a
 * session, keep it as revisions of a recording document (./recording.ts), replay it into any
 * running session once or N times, and report per event when it was scheduled, injected and
 * seen by the guest. Spread into ../contract.ts; implemented by src-main/core/replay/api.ts.
 */
import { z } from 'zod';
import { RecordingDoc } from './recording';

const SessionRef = z.string().regex(/^[a-z0-9-]{1,64}$/, 'session id: lower-case letters, digits and dashes');
const RecordingId = z.string().regex(/^r[0-9a-f]{8}$/, 'recording id');
const ReplayId = z.string().regex(/^p[0-9a-f]{8}$/, 'replay id');

export const RecordingSummary = z.object({
  recordingId: RecordingId,
  name: z.string(),
  /** Latest revision (1 = as recorded). */
  rev: z.number().int().positive(),
  createdAt: z.number(),
  updatedAt: z.number(),
  events: z.number().int(),
  durationUs: z.number(),
  board: z.string(),
  sessionId: z.string().nullable(),
});
export type RecordingSummary = z.infer<typeof RecordingSummary>;

export const RecorderStatus = z.object({
  sessionId: SessionRef,
  recording: z.boolean(),
  /** Host ms when Record was pressed (null when not recording). */
  startedAt: z.number().nullable(),
  events: z.number().int(),
});
export type RecorderStatus = z.infer<typeof RecorderStatus>;

export const ReplayState = z.enum(['scheduled', 'running', 'done', 'cancelled', 'failed']);

export const ReplayInfo = z.object({
  replayId: ReplayId,
  recordingId: RecordingId,
  rev: z.number().int(),
  sessionId: SessionRef,
  /** 1-based repetition of a `repeat: N` request; each repetition is its own replay. */
  iteration: z.number().int().positive(),
  of: z.number().int().positive(),
  speed: z.number(),
  state: ReplayState,
  /** Host ms of the replay's time zero (the first event is scheduled relative to it). */
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  injected: z.number().int(),
  total: z.number().int(),
  error: z.string().nullable(),
});
export type ReplayInfo = z.infer<typeof ReplayInfo>;

/** One event's fate in a replay; times in µs from the replay's time zero. */
export const ReplayEventResult = z.object({
  eventId: z.string(),
  kind: z.enum(['key', 'console', 'marker']),
  label: z.string(),
  scheduledUs: z.number(),
  /**
   * When it went in: a key when QEMU's input layer handled it (QEMU's own trace; without one,
   * the middle of its QMP round trip), console bytes when they were written; null if not injected.
   */
  injectedUs: z.number().nullable(),
  /** When the guest kernel saw it (agent's /dev/input timestamp, mapped to host time); null if unknown. */
  guestUs: z.number().nullable(),
});
export type ReplayEventResult = z.infer<typeof ReplayEventResult>;

export const ReplayReport = z.object({
  replay: ReplayInfo,
  events: z.array(ReplayEventResult),
  /** Guest markers seen during the replay (µs from time zero). */
  markers: z.array(z.object({ us: z.number(), text: z.string() })),
  stats: z.object({
    injectErrUsP50: z.number().nullable(),
    injectErrUsP99: z.number().nullable(),
    /** Guest-observed inter-event interval − recorded interval (key events), µs. */
    guestErrUsP99: z.number().nullable(),
    /** Mean QMP injection latency the scheduler compensated for, µs. */
    compensationUs: z.number().nullable(),
    /** Keys whose injection time is QEMU's own trace stamp (the others: the QMP round trip's middle). Absent in older reports. */
    tracedKeys: z.number().int().nonnegative().optional(),
    /** How the keys went to QEMU: its VNC server (main loop) or a QMP monitor. Absent in older reports. */
    keyPath: z.enum(['vnc', 'qmp']).optional(),
    /**
     * Share of the host's CPU time its hypervisor gave to other machines during the replay
     * (Linux /proc/stat steal), %: a few % of it shows as ms of injection error. Absent in
     * older reports and off Linux.
     */
    hostStealPct: z.number().min(0).max(100).optional(),
  }),
});
export type ReplayReport = z.infer<typeof ReplayReport>;

const ok = z.object({ ok: z.literal(true) });

export const replayMethods = {
  /** Start capturing what goes into the session (guest keys through `input.key`, console bytes). */
  'recorder.start': { input: z.object({ id: SessionRef, name: z.string().min(1).max(200).optional() }), output: RecorderStatus },
  /** Stop capturing: the capture becomes a new recording (revision 1). */
  'recorder.stop': { input: z.object({ id: SessionRef }), output: RecordingSummary },
  'recorder.status': { input: z.object({ id: SessionRef }), output: RecorderStatus },
  'recordings.list': { input: z.object({}), output: z.array(RecordingSummary) },
  /** A revision's document (default: the latest). */
  'recordings.get': { input: z.object({ recordingId: RecordingId, rev: z.number().int().positive().optional() }), output: z.object({ recordingId: RecordingId, rev: z.number().int(), doc: RecordingDoc }) },
  /** Save an edited document as a new revision; refused if `baseRev` is not the latest (edited elsewhere meanwhile). */
  'recordings.save': { input: z.object({ recordingId: RecordingId, baseRev: z.number().int().positive(), doc: RecordingDoc }), output: RecordingSummary },
  'recordings.rename': { input: z.object({ recordingId: RecordingId, name: z.string().min(1).max(200) }), output: RecordingSummary },
  'recordings.delete': { input: z.object({ recordingId: RecordingId }), output: ok },
  /** A recording file's text (docs/recording-format.md) → a new recording; a bad file changes nothing. */
  'recordings.import': { input: z.object({ text: z.string().max(64 * 1024 * 1024) }), output: RecordingSummary },
  'recordings.export': { input: z.object({ recordingId: RecordingId, rev: z.number().int().positive().optional() }), output: z.object({ fileName: z.string(), text: z.string() }) },
  /** Replay a recording into a running session, `repeat` times back to back (each its own replay). */
  'replay.start': {
    input: z.object({
      recordingId: RecordingId,
      rev: z.number().int().positive().optional(),
      id: SessionRef,
      repeat: z.number().int().min(1).max(1000).default(1),
      /** Default: the document's speed. */
      speed: z.number().min(0.05).max(20).optional(),
    }),
    output: z.array(ReplayInfo),
  },
  'replay.cancel': { input: z.object({ replayId: ReplayId }), output: ReplayInfo },
  'replay.list': { input: z.object({ recordingId: RecordingId.optional(), id: SessionRef.optional() }), output: z.array(ReplayInfo) },
  'replay.report': { input: z.object({ replayId: ReplayId }), output: ReplayReport },
} as const;

export const replayEvents = {
  'recorder.status': RecorderStatus,
  'recordings.changed': RecordingSummary,
  'recordings.removed': z.object({ recordingId: RecordingId }),
  'replay.changed': ReplayInfo,
} as const;
