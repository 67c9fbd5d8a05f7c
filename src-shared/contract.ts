/**
 * The one contract between the renderer and the core.
 *
 * Every request (method) and every pushed event stream is declared here once, as a zod schema.
 * Both front doors (Electron ipcMain + preload, and the WebSocket server) are generated from
 * this object, and the renderer's typed client proxy is generated from it too, so a method
 * cannot exist on one side only and every payload is validated where it enters.
 */
import { z } from 'zod';
import { agentEvents, agentMethods } from './features/agent';
import { Determinism, determinismMethods } from './features/determinism';
import { hosttermEvents, hosttermMethods } from './features/hostterm';
import { inputMethods } from './features/input';
import { monitorEvents, monitorMethods } from './features/monitor';
import { replayEvents, replayMethods } from './features/replay';
import { InputDevice } from './features/recording';

export const SessionState = z.enum([
  'created', // saved, never started or ready to start again
  'starting', // QEMU spawned, QMP handshake in progress
  'running',
  'paused',
  'stopping',
  'stopped', // ended on request (or by the guest powering off)
  'crashed', // QEMU exited without being asked to
]);
export type SessionState = z.infer<typeof SessionState>;

export const SessionId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'session id: lower-case letters, digits and dashes');

export const ExitInfo = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  stderrTail: z.array(z.string()),
});
export type ExitInfo = z.infer<typeof ExitInfo>;

export const SessionSummary = z.object({
  id: SessionId,
  name: z.string(),
  board: z.string(),
  state: SessionState,
  createdAt: z.number(), // ms since epoch
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  /** How many times this session has been started (each start is a "run" in its history). */
  runs: z.number().int(),
  exit: ExitInfo.nullable(),
  /** Human-readable reason for the last failure (start refused, crash...), null if none. */
  error: z.string().nullable(),
  /** 127.0.0.1 port of QEMU's gdbstub while running. */
  gdbPort: z.number().int().nullable(),
  /** Where injected keys go: the board's own keypad, or a QEMU USB keyboard (-device usb-kbd). */
  inputDevice: InputDevice,
  /** Deterministic mode (QEMU record/replay): off, recording every run, or reproducing one. */
  determinism: Determinism,
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const LifecycleEvent = z.object({
  sessionId: SessionId,
  at: z.number(),
  kind: z.string(), // 'created' | 'start' | 'running' | 'pause' | 'resume' | 'reset' | 'stop' | 'stopped' | 'crashed' | 'qmp-event' | 'error'
  detail: z.string(),
});
export type LifecycleEvent = z.infer<typeof LifecycleEvent>;

export const BoardInfo = z.object({
  id: z.string(),
  title: z.string(),
  machine: z.string(),
  description: z.string(),
});
export type BoardInfo = z.infer<typeof BoardInfo>;

export const ImageInfo = z.object({
  board: z.string(),
  kernel: z.string(),
  initrd: z.string(),
  sd: z.string(),
  vmlinux: z.string().nullable(),
});
export type ImageInfo = z.infer<typeof ImageInfo>;

const idOnly = z.object({ id: SessionId });
const ok = z.object({ ok: z.literal(true) });

/** Request/response methods. Names are `<feature>.<verb>`. */
export const methods = {
  'app.info': {
    input: z.object({}),
    output: z.object({ version: z.string(), workspace: z.string(), frontDoor: z.enum(['electron', 'websocket', 'in-process']) }),
  },
  'boards.list': { input: z.object({}), output: z.array(BoardInfo) },
  'image.ensure': { input: z.object({ board: z.string().default('mainstone') }), output: ImageInfo },
  'sessions.list': { input: z.object({}), output: z.array(SessionSummary) },
  'sessions.create': {
    input: z.object({
      name: z.string().trim().min(1).max(80).optional(),
      board: z.string().default('mainstone'),
      /** keypad (default): the board's own, 37 keys; usb-kbd: every key, but the keypad then gets none. */
      inputDevice: InputDevice.optional(),
      /**
       * Record every run under QEMU record/replay so it can be reproduced exactly
       * (determinism.reproduce). Needs usb-kbd: the board keypad loses keys while recording.
       */
      deterministic: z.boolean().optional(),
    }),
    output: SessionSummary,
  },
  'sessions.rename': { input: z.object({ id: SessionId, name: z.string().trim().min(1).max(80) }), output: SessionSummary },
  'sessions.delete': { input: idOnly, output: ok },
  'sessions.start': { input: idOnly, output: SessionSummary },
  'sessions.pause': { input: idOnly, output: SessionSummary },
  'sessions.resume': { input: idOnly, output: SessionSummary },
  'sessions.reset': { input: idOnly, output: SessionSummary },
  'sessions.stop': { input: idOnly, output: SessionSummary },
  'sessions.history': { input: idOnly, output: z.array(LifecycleEvent) },
  /** Keystrokes for the guest console (serial0), as typed in the terminal (UTF-8 text). */
  'console.write': { input: z.object({ id: SessionId, data: z.string().max(65536) }), output: ok },
  /** The saved console transcript, for a past run or to fill a terminal that opens late. */
  'console.transcript': {
    input: z.object({ id: SessionId, maxBytes: z.number().int().positive().max(16 * 1024 * 1024).default(1024 * 1024) }),
    output: z.object({ data: z.string(), totalBytes: z.number().int(), truncated: z.boolean() }),
  },
  ...agentMethods,
  ...determinismMethods,
  ...hosttermMethods,
  ...monitorMethods,
  ...replayMethods,
  ...inputMethods,
} as const;

/** Server-pushed event streams. */
export const events = {
  'session.changed': SessionSummary,
  'session.removed': z.object({ id: SessionId }),
  /** Console bytes from the guest, decoded as UTF-8. `offset` is the byte offset of this chunk in
   *  the session's whole transcript, so a client that also fetched `console.transcript` can drop
   *  chunks it already has (offset < totalBytes). */
  'console.output': z.object({ id: SessionId, data: z.string(), offset: z.number().int().nonnegative() }),
  'image.progress': z.object({ board: z.string(), step: z.string(), message: z.string(), done: z.boolean() }),
  ...agentEvents,
  ...hosttermEvents,
  ...monitorEvents,
  ...replayEvents,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}
export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** What the core implements: one async function per method, taking the parsed input. */
export type ServiceImpl = { [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };
