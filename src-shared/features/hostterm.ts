/**
 * Contract entries of the host terminal feature: a shell on the host, opened in the session's
 * folder with the ARM cross toolchain on PATH (the compile → push → run loop). Spread into
 * ../contract.ts.
 */
import { z } from 'zod';

const SessionId = z.string().regex(/^[a-z0-9-]{1,64}$/);
const TermId = z.string().regex(/^t[0-9a-f]{8}$/, 'terminal id');
const Size = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };

export const HostTerminalInfo = z.object({
  termId: TermId,
  sessionId: SessionId,
  cwd: z.string(),
  shell: z.string(),
  pid: z.number().int(),
  exited: z.boolean(),
});
export type HostTerminalInfo = z.infer<typeof HostTerminalInfo>;

export const hosttermMethods = {
  /** Open a host shell for a session (cwd = the session's host folder). */
  'hostterm.open': { input: z.object({ sessionId: SessionId, ...Size }), output: HostTerminalInfo },
  'hostterm.list': { input: z.object({ sessionId: SessionId }), output: z.array(HostTerminalInfo) },
  'hostterm.write': { input: z.object({ termId: TermId, data: z.string().max(65536) }), output: z.object({ ok: z.literal(true) }) },
  'hostterm.resize': { input: z.object({ termId: TermId, ...Size }), output: z.object({ ok: z.literal(true) }) },
  'hostterm.close': { input: z.object({ termId: TermId }), output: z.object({ ok: z.literal(true) }) },
  /** What the terminal printed so far (the last 256 KiB), to fill a pane that opens late. */
  'hostterm.backlog': { input: z.object({ termId: TermId }), output: z.object({ data: z.string(), totalChars: z.number().int() }) },
} as const;

export const hosttermEvents = {
  /** `offset` = characters this terminal printed before this chunk (drop chunks you already have). */
  'hostterm.output': z.object({ termId: TermId, data: z.string(), offset: z.number().int().nonnegative() }),
  'hostterm.exit': z.object({ termId: TermId, exitCode: z.number().int(), signal: z.number().int().nullable() }),
} as const;
