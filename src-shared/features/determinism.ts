/**
 * Contract entries of deterministic mode (issue 5 part 7): a session recorded under QEMU's
 * record/replay (`-icount shift=auto,rr=record`) and a "reproduction" session that replays one
 * of its runs exactly. Spread into ../contract.ts; implemented by src-main/core/determinism/.
 * docs/deterministic-mode.md says what it costs and what it does not support.
 */
import { z } from 'zod';

const SessionRef = z.string().regex(/^[a-z0-9-]{1,64}$/, 'session id: lower-case letters, digits and dashes');

/** What a reproduction found when it ended: its console against the recorded run's. */
export const ReproductionVerdict = z.object({
  identical: z.boolean(),
  /** One line for the user: bytes compared, or where the two transcripts part. */
  detail: z.string(),
});
export type ReproductionVerdict = z.infer<typeof ReproductionVerdict>;

/**
 * A session's determinism. `record`: every run is recorded (QEMU's input log plus copies of
 * kernel, initrd and SD card). `replay`: every run reproduces run `of.run` of session
 * `of.sessionId`; no input is taken, and `verdict` is that of the last run (null until one ends).
 */
export const Determinism = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('off') }),
  z.object({ mode: z.literal('record') }),
  z.object({
    mode: z.literal('replay'),
    of: z.object({ sessionId: SessionRef, run: z.number().int().positive() }),
    verdict: ReproductionVerdict.nullable(),
  }),
]);
export type Determinism = z.infer<typeof Determinism>;

/** One recorded run of a `record` session, as its manifest says. */
export const RecordedRun = z.object({
  run: z.number().int().positive(),
  /** Host ms (epoch). */
  recordedAt: z.number(),
  endedAt: z.number().nullable(),
  /** Bytes of QEMU's input log (grows ~12–14 KB/s while the guest idles). */
  logBytes: z.number().int(),
  /** Console bytes the run produced (what a reproduction must produce too). */
  consoleBytes: z.number().int().nullable(),
  /** Null when it can be reproduced; else why not (still running, killed, files missing). */
  problem: z.string().nullable(),
});
export type RecordedRun = z.infer<typeof RecordedRun>;

export const determinismMethods = {
  /** The recorded runs of a deterministic session, newest first. */
  'determinism.runs': { input: z.object({ id: SessionRef }), output: z.array(RecordedRun) },
  /**
   * A new session that replays one recorded run (default: the newest reproducible one), started
   * at once. It answers when QEMU is running; the verdict comes with `session.changed`.
   */
  'determinism.reproduce': {
    input: z.object({ id: SessionRef, run: z.number().int().positive().optional() }),
    output: z.object({ sessionId: SessionRef }),
  },
} as const;
