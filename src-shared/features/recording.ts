/**
 * The recording document of the event manager (seed 000 §3.2): what a user typed into a VM,
 * with its timing, as one versioned JSON document (docs/recording-format.md). The same schema
 * validates a file on import, a revision saved by the timeline editor, and what the core
 * stores — a malformed or newer document is refused with the reason, and nothing is changed.
 */
import { z } from 'zod';

export const RECORDING_FORMAT = 'benchtop-recording';
export const RECORDING_VERSION = 1;

/** QEMU key names (QAPI QKeyCode), e.g. "a", "shift", "ret", "spc", "up", "kp_1". */
export const QKeyCode = z.string().regex(/^[a-z0-9_]{1,24}$/, 'a QEMU key code (QKeyCode) such as "a", "ret", "shift"');

const EventId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'event id: letters, digits, _ and -');
/** Microseconds from the start of the recording. */
const TimeUs = z.number().int().min(0).max(24 * 3600 * 1e6, 'events more than 24 h after the start');

export const KeyEvent = z.object({ id: EventId, t: TimeUs, kind: z.literal('key'), key: QKeyCode, down: z.boolean() });
/** Bytes typed into the serial console (UTF-8 text as the terminal sent it, escapes included). */
export const ConsoleEvent = z.object({ id: EventId, t: TimeUs, kind: z.literal('console'), data: z.string().min(1).max(4096) });
/** A line a guest program wrote to /run/benchtop/events while recording: a reference point, not replayed. */
export const MarkerEvent = z.object({ id: EventId, t: TimeUs, kind: z.literal('marker'), text: z.string().max(4096) });

export const RecordedEvent = z.discriminatedUnion('kind', [KeyEvent, ConsoleEvent, MarkerEvent]);
export type RecordedEvent = z.infer<typeof RecordedEvent>;
export type EventKind = RecordedEvent['kind'];

export const InputDevice = z.enum(['keypad', 'usb-kbd']);
export type InputDevice = z.infer<typeof InputDevice>;

export const RecordingDoc = z
  .object({
    format: z.literal(RECORDING_FORMAT, { error: `not a Benchtop recording (format must be "${RECORDING_FORMAT}")` }),
    version: z.number().int().min(1),
    name: z.string().min(1).max(200),
    createdAt: z.string().datetime({ offset: true }),
    /** Where it was recorded (informational: a recording replays into any session). */
    source: z.object({ sessionId: z.string().max(64).nullable(), board: z.string().max(64), inputDevice: InputDevice }),
    /** Playback speed the editor saved (2 = twice as fast). */
    speed: z.number().min(0.05).max(20).default(1),
    /** Sorted by t (ties keep their order); ids unique. */
    events: z.array(RecordedEvent).max(200_000),
  })
  .superRefine((doc, ctx) => {
    if (doc.version > RECORDING_VERSION) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: `recording format version ${doc.version} is newer than this Benchtop reads (${RECORDING_VERSION}); upgrade Benchtop` });
    }
    const ids = new Set<string>();
    for (let i = 0; i < doc.events.length; i++) {
      const e = doc.events[i]!;
      if (ids.has(e.id)) ctx.addIssue({ code: 'custom', path: ['events', i, 'id'], message: `duplicate event id "${e.id}"` });
      ids.add(e.id);
      if (i > 0 && e.t < doc.events[i - 1]!.t) ctx.addIssue({ code: 'custom', path: ['events', i, 't'], message: `events must be sorted by time (event ${i} at ${e.t} µs comes before event ${i - 1})` });
    }
  });
export type RecordingDoc = z.infer<typeof RecordingDoc>;

/** Parse a recording file's text; the error names the first problem (path and reason). */
export function parseRecording(text: string): { ok: true; doc: RecordingDoc } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  // The version check first: a newer file's other fields may legitimately differ.
  const v = (raw as { version?: unknown } | null)?.version;
  if (typeof v === 'number' && v > RECORDING_VERSION && (raw as { format?: unknown }).format === RECORDING_FORMAT) {
    return { ok: false, error: `recording format version ${v} is newer than this Benchtop reads (${RECORDING_VERSION}); upgrade Benchtop` };
  }
  const r = RecordingDoc.safeParse(raw);
  if (r.success) return { ok: true, doc: r.data };
  const issue = r.error.issues[0]!;
  return { ok: false, error: `${issue.path.length ? issue.path.join('.') + ': ' : ''}${issue.message}` };
}
