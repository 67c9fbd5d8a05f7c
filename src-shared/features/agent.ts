/**
 * Contract entries of the target agent feature (files, processes, debug through the agent).
 * Spread into `methods` / `events` in ../contract.ts. Implemented by
 * src-main/core/agent/api.ts (`createAgentImpl`); docs/agent-host.md describes the host side.
 *
 * Every method names the session (`id`) whose guest agent it talks to; the session must be
 * running and its agent connected (`agent.status`, event `agent.status`).
 */
import { z } from 'zod';

// Same rule as contract.ts's SessionId (not imported: contract.ts imports this file first).
const SessionRef = z.string().regex(/^[a-z0-9-]{1,64}$/, 'session id: lower-case letters, digits and dashes');

/** A path in the guest: absolute, no NUL byte. */
export const GuestPath = z
  .string()
  .min(1)
  .max(4000)
  .refine((p) => p.startsWith('/') && !p.includes('\0'), 'guest path: absolute, without NUL bytes');

/** A path on the host: absolute. */
export const HostPath = z
  .string()
  .min(1)
  .max(4000)
  .refine((p) => (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) && !p.includes('\0'), 'host path: absolute, without NUL bytes');

export const AgentLinkState = z.enum([
  'none', // the session is not running: no agent link
  'connecting', // socket open, waiting for the agent's handshake (guest booting)
  'connected',
  'closed',
]);
export type AgentLinkState = z.infer<typeof AgentLinkState>;

export const AgentStatus = z.object({
  sessionId: SessionRef,
  state: AgentLinkState,
  /** The agent's HELLO capabilities (protocol, agent, services, arch, max_payload, window). */
  capabilities: z.record(z.string(), z.string()),
  /** When the link last came up (ms since epoch), null if never. */
  connectedAt: z.number().nullable(),
  /** Link resets after it was up (a guest reboot, a lost connection). */
  resets: z.number().int().nonnegative(),
  lastReset: z.string().nullable(),
  stats: z.object({
    framesSent: z.number().int(),
    framesReceived: z.number().int(),
    retransmits: z.number().int(),
    timeouts: z.number().int(),
    bytesSkipped: z.number().int(),
  }),
});
export type AgentStatus = z.infer<typeof AgentStatus>;

export const GuestFileEntry = z.object({
  name: z.string(),
  type: z.enum(['f', 'd', 'l', 'c', 'b', 'p', 's', '?']),
  /** Permission bits (e.g. 0o755 = 493). */
  mode: z.number().int().nonnegative(),
  size: z.number().nonnegative(),
  /** Seconds since the epoch. */
  mtime: z.number(),
});
export type GuestFileEntry = z.infer<typeof GuestFileEntry>;

export const ProcState = z.enum([
  'running',
  'stopped', // SIGSTOP sent through proc.signal
  'exited',
  'lost', // the agent link reset (guest reboot): the agent killed it
]);
export type ProcState = z.infer<typeof ProcState>;

export const ProcExitInfo = z.object({ how: z.enum(['exit', 'signal']), code: z.number().int() });
export type ProcExitInfo = z.infer<typeof ProcExitInfo>;

export const ProcInfo = z.object({
  sessionId: SessionRef,
  pid: z.number().int().positive(),
  argv: z.array(z.string()),
  cwd: z.string(),
  state: ProcState,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  exit: ProcExitInfo.nullable(),
});
export type ProcInfo = z.infer<typeof ProcInfo>;

export const DebugInfo = z.object({
  sessionId: SessionRef,
  debugId: z.number().int().positive(),
  /** The debuggee's pid in the guest. */
  pid: z.number().int(),
  gdbserverPid: z.number().int(),
  /** 127.0.0.1 port of the bridge: `gdb-multiarch -ex 'target remote 127.0.0.1:PORT'`. */
  port: z.number().int(),
  mode: z.enum(['spawn', 'attach']),
  argv: z.array(z.string()),
  state: z.enum(['starting', 'stopped', 'running', 'exited']),
  /** An outside gdb is connected to the bridge. */
  gdbAttached: z.boolean(),
  startedAt: z.number(),
});
export type DebugInfo = z.infer<typeof DebugInfo>;

/** Signals by name (mapped to ARM Linux numbers in the core) or by number. */
export const GuestSignalInput = z.union([
  z.enum(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGCONT', 'SIGSTOP', 'SIGTSTP']),
  z.number().int().min(1).max(64),
]);

const sessionOnly = z.object({ id: SessionRef });
const ok = z.object({ ok: z.literal(true) });
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

export const agentMethods = {
  'agent.status': { input: sessionOnly, output: AgentStatus },
  /** Round trip through the agent; `uptimeMs` is the agent's. */
  'agent.ping': {
    input: z.object({ id: SessionRef, timeoutMs: z.number().int().positive().max(60_000).default(5000) }),
    output: z.object({ uptimeMs: z.number(), rttMs: z.number() }),
  },
  'files.list': { input: z.object({ id: SessionRef, path: GuestPath }), output: z.object({ path: z.string(), entries: z.array(GuestFileEntry) }) },
  'files.stat': { input: z.object({ id: SessionRef, path: GuestPath }), output: GuestFileEntry },
  /** Fetch a file: as base64 in the answer, or written to `hostPath` (temp + rename after the CRC check). */
  'files.get': {
    input: z.object({
      id: SessionRef,
      path: GuestPath,
      hostPath: HostPath.optional(),
      /** Refuse (and stop) beyond this many bytes when answering with base64. */
      maxBytes: z.number().int().positive().max(64 * 1024 * 1024).default(16 * 1024 * 1024),
    }),
    output: z.object({ path: z.string(), size: z.number().int(), crc32: z.number().int(), base64: z.string().nullable(), hostPath: z.string().nullable() }),
  },
  /** Store a file (from base64 content or a host file); the agent renames it into place only when complete. */
  'files.put': {
    input: z
      .object({
        id: SessionRef,
        path: GuestPath,
        base64: base64.optional(),
        hostPath: HostPath.optional(),
        mode: z.number().int().min(0).max(0o7777).default(0o644),
      })
      .refine((i) => (i.base64 === undefined) !== (i.hostPath === undefined), 'give exactly one of base64 or hostPath'),
    output: z.object({ path: z.string(), size: z.number().int(), crc32: z.number().int() }),
  },
  'files.remove': { input: z.object({ id: SessionRef, path: GuestPath }), output: ok },
  /**
   * A large upload in chunks (each front-door message stays under 1 MiB): begin, chunks in
   * order (≤ 512 KiB each, base64), end — which pushes the staged file into the guest (progress
   * as `files.progress`) and answers like files.put. Abort drops it; nothing is written to the
   * target path unless the whole file arrived with its CRC.
   */
  'files.uploadBegin': {
    input: z.object({ id: SessionRef, path: GuestPath, size: z.number().int().min(0).max(1024 * 1024 * 1024), mode: z.number().int().min(0).max(0o7777).default(0o644) }),
    output: z.object({ uploadId: z.string() }),
  },
  'files.uploadChunk': {
    input: z.object({ uploadId: z.string().regex(/^u[0-9a-f]{12}$/), offset: z.number().int().min(0), base64: base64.max(700_000) }),
    output: z.object({ received: z.number().int() }),
  },
  'files.uploadEnd': { input: z.object({ uploadId: z.string().regex(/^u[0-9a-f]{12}$/) }), output: z.object({ path: z.string(), size: z.number().int(), crc32: z.number().int() }) },
  'files.uploadAbort': { input: z.object({ uploadId: z.string().regex(/^u[0-9a-f]{12}$/) }), output: ok },
  /** Start a program (no debugger); its output comes as `proc.output` events, its end as `proc.exit`. */
  'proc.spawn': {
    input: z.object({
      id: SessionRef,
      argv: z.array(z.string().min(1).max(4000)).min(1).max(256),
      cwd: GuestPath.default('/'),
      env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    }),
    output: ProcInfo,
  },
  /** kill(2) in the guest: SIGSTOP suspends, SIGCONT resumes, SIGKILL ends. */
  'proc.signal': { input: z.object({ id: SessionRef, pid: z.number().int().positive(), signal: GuestSignalInput }), output: ok },
  /** Text to a spawned program's stdin (UTF-8); `close: true` closes it after the text. */
  'proc.stdin': { input: z.object({ id: SessionRef, pid: z.number().int().positive(), data: z.string().max(1024 * 1024).default(''), close: z.boolean().default(false) }), output: ok },
  /** Programs started through proc.spawn in this session's current run (the last 100). */
  'proc.list': { input: sessionOnly, output: z.array(ProcInfo) },
  /** gdbserver on a new program (`spawn`) or a running one (`attach`), with a TCP bridge for an outside gdb. */
  'debug.start': {
    input: z
      .object({
        id: SessionRef,
        spawn: z.object({ argv: z.array(z.string().min(1).max(4000)).min(1).max(256) }).optional(),
        attach: z.object({ pid: z.number().int().positive() }).optional(),
      })
      .refine((i) => (i.spawn === undefined) !== (i.attach === undefined), 'give exactly one of spawn or attach'),
    output: DebugInfo,
  },
  /** Kill the gdbserver (and a spawned debuggee) and close its bridge. */
  'debug.stop': { input: z.object({ id: SessionRef, debugId: z.number().int().positive() }), output: ok },
  'debug.list': { input: sessionOnly, output: z.array(DebugInfo) },
} as const;

export const agentEvents = {
  'agent.status': AgentStatus,
  /** Output of a program started through proc.spawn (UTF-8 decoded, split anywhere). */
  'proc.output': z.object({ sessionId: SessionRef, pid: z.number().int(), stream: z.enum(['stdout', 'stderr']), data: z.string() }),
  'proc.exit': z.object({ sessionId: SessionRef, pid: z.number().int(), how: z.enum(['exit', 'signal', 'lost']), code: z.number().int() }),
  /** A guest-side event: `marker` (a line written to /run/benchtop/events) or `exit` (a child of the agent ended). */
  'agent.event': z.object({ sessionId: SessionRef, kind: z.string(), text: z.string(), at: z.number() }),
  'debug.changed': DebugInfo,
  /** Progress of an upload's push into the guest (files.uploadEnd). */
  'files.progress': z.object({ sessionId: SessionRef, uploadId: z.string(), path: z.string(), sent: z.number().int(), size: z.number().int() }),
} as const;
