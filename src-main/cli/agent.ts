/**
 * `benchtop agent --boot <op> …`: boot a headless session, wait for its target agent, run one
 * operation through the agent, print JSON, stop (and delete) the session.
 *
 *   ping [--count N]            round trips (min / p50 / p99 / max ms) and the agent's uptime
 *   ls PATH                     directory listing
 *   stat PATH
 *   put LOCAL REMOTE [--mode 0755]
 *   get REMOTE LOCAL
 *   rm PATH
 *   run [--cwd DIR] -- CMD [ARG…]   output, exit status (exits with the program's status)
 *
 * A session of a running `benchtop serve` cannot be reached from another process (QEMU's agent
 * socket takes one client, and that is the server's broker): this command boots its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BenchtopError } from '../../src-shared/errors';
import type { AgentChannel } from '../core/agent/client';
import { parseTimeout, withHeadlessSession } from './headless';

export const AGENT_USAGE = `  agent   boot a headless session and run one operation through its target agent (JSON out)
          --boot (required)  --board ID  --timeout SECONDS (default 120)  --workspace DIR  --keep
          ping [--count N] | ls PATH | stat PATH | put LOCAL REMOTE [--mode 0755] | get REMOTE LOCAL
          | rm PATH | run [--cwd DIR] -- CMD [ARG…]
`;

type Result = { code: number; json: unknown };

export async function agentCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      boot: { type: 'boolean', default: false },
      board: { type: 'string', default: 'mainstone' },
      timeout: { type: 'string', default: '120' },
      workspace: { type: 'string' },
      keep: { type: 'boolean', default: false },
      count: { type: 'string', default: '10' },
      mode: { type: 'string', default: '0644' },
      cwd: { type: 'string', default: '/' },
    },
  });
  const [op, ...rest] = positionals;
  if (!op) throw new BenchtopError('bad-request', `which operation? ${AGENT_USAGE.trim()}`);
  if (!values.boot) {
    throw new BenchtopError(
      'bad-request',
      "give --boot: the command boots its own headless session (a `benchtop serve` session's agent socket belongs to that server)",
    );
  }
  const timeoutMs = parseTimeout(values.timeout);
  const run = validate(op, rest, values);
  return withHeadlessSession({ board: values.board!, workspace: values.workspace, timeoutMs, keep: values.keep!, name: `agent ${op}` }, async (core, id) => {
    const r = await run(core.agents.channel(id, 'cli'), timeoutMs);
    process.stdout.write(JSON.stringify(r.json, null, 2) + '\n');
    return r.code;
  });
}

function validate(op: string, rest: string[], values: { count?: string; mode?: string; cwd?: string }): (ch: AgentChannel, timeoutMs: number) => Promise<Result> {
  const need = (n: number, what: string) => {
    if (rest.length !== n) throw new BenchtopError('bad-request', `agent ${op} wants ${what}`);
  };
  switch (op) {
    case 'ping': {
      need(0, 'no arguments (and --count N)');
      const count = Number(values.count);
      if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new BenchtopError('bad-request', '--count must be 1 … 100000');
      return async (ch) => {
        const rtts: number[] = [];
        let uptimeMs = 0;
        for (let i = 0; i < count; i++) {
          const p = await ch.ping();
          rtts.push(p.rttMs);
          uptimeMs = p.uptimeMs;
        }
        rtts.sort((a, b) => a - b);
        const pct = (q: number) => round(rtts[Math.min(rtts.length - 1, Math.ceil((q / 100) * rtts.length) - 1)]!);
        return { code: 0, json: { op, count, agentUptimeMs: uptimeMs, rttMs: { min: round(rtts[0]!), p50: pct(50), p99: pct(99), max: round(rtts[rtts.length - 1]!) } } };
      };
    }
    case 'ls':
      need(1, 'PATH');
      return async (ch) => ({ code: 0, json: { op, path: rest[0], entries: await ch.list(guestPath(rest[0]!)) } });
    case 'stat':
      need(1, 'PATH');
      return async (ch) => ({ code: 0, json: { op, entry: await ch.stat(guestPath(rest[0]!)) } });
    case 'rm':
      need(1, 'PATH');
      return async (ch) => {
        await ch.remove(guestPath(rest[0]!));
        return { code: 0, json: { op, path: rest[0], removed: true } };
      };
    case 'put': {
      need(2, 'LOCAL REMOTE');
      const local = path.resolve(rest[0]!);
      if (!fs.existsSync(local)) throw new BenchtopError('missing-file', `no such file: ${local}`);
      if (!/^[0-7]{3,4}$/.test(values.mode ?? '')) throw new BenchtopError('bad-request', '--mode must be octal, e.g. 0755');
      const mode = parseInt(values.mode!, 8);
      return async (ch) => {
        const t0 = performance.now();
        const r = await ch.put(guestPath(rest[1]!), { file: local }, { mode });
        const s = (performance.now() - t0) / 1000;
        return { code: 0, json: { op, local, remote: rest[1], size: r.size, crc32: r.crc32, seconds: round(s), mibPerS: round(r.size / 2 ** 20 / s) } };
      };
    }
    case 'get': {
      need(2, 'REMOTE LOCAL');
      const local = path.resolve(rest[1]!);
      return async (ch) => {
        const t0 = performance.now();
        const r = await ch.getToFile(guestPath(rest[0]!), local);
        const s = (performance.now() - t0) / 1000;
        return { code: 0, json: { op, remote: rest[0], local, size: r.size, crc32: r.crc32, seconds: round(s), mibPerS: round(r.size / 2 ** 20 / s) } };
      };
    }
    case 'run': {
      if (!rest.length) throw new BenchtopError('bad-request', 'agent run wants -- CMD [ARG…]');
      return async (ch, timeoutMs) => {
        let stdout = '';
        let stderr = '';
        const p = await ch.spawn(rest, { cwd: guestPath(values.cwd ?? '/'), onOutput: (s, d) => (s === 'stdout' ? (stdout += d.toString('utf8')) : (stderr += d.toString('utf8'))) });
        await p.closeStdin().catch(() => undefined);
        let timer: NodeJS.Timeout | undefined;
        const exit = await Promise.race([
          p.exited,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new BenchtopError('timeout', `${rest[0]} did not end within ${timeoutMs / 1000} s`)), timeoutMs);
          }),
        ]).finally(() => clearTimeout(timer));
        return { code: exit.how === 'exit' ? exit.code : 128 + exit.code, json: { op, argv: rest, pid: p.pid, exit, stdout, stderr } };
      };
    }
    default:
      throw new BenchtopError('bad-request', `unknown agent operation '${op}' (ping, ls, stat, put, get, rm, run)`);
  }
}

function guestPath(p: string): string {
  if (!p.startsWith('/')) throw new BenchtopError('bad-request', `guest paths are absolute: '${p}'`);
  return p;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
