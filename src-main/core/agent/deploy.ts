/**
 * Getting an agent into a guest that has none (an image built before the agent was part of
 * it, or a new agent build to try without rebuilding the image): build the static armel agent
 * from resources/guest/agent, serve it once over HTTP on the host's loopback, and have the
 * guest fetch it through QEMU's user network (10.0.2.2 is the host) and start it on its agent
 * UART, all typed on the console.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { BenchtopError } from '../../../src-shared/errors';
import type { Core } from '../core';
import { findBoard } from '../boards/profiles';
import { runConsoleCommand } from '../sessions/console-commands';
import { findRepoRoot } from '../util/repo-root';

export const agentSourceDir = (): string => path.join(findRepoRoot(), 'resources', 'guest', 'agent');

function sourceHash(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'build') walk(p);
      } else if (/\.(c|h)$|^Makefile$/.test(e.name)) h.update(e.name).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 16);
}

/**
 * Build the agent with its Makefile (`host`: for tests on this machine; `arm`: the static
 * armel guest binary) into a cache folder keyed by its sources; returns the binary's path.
 */
export function buildAgent(target: 'host' | 'arm' = 'host'): string {
  const src = agentSourceDir();
  if (!fs.existsSync(path.join(src, 'Makefile'))) throw new BenchtopError('missing-file', `no agent sources in ${src}`);
  const out = path.join(os.tmpdir(), `benchtop-agent-build-${process.getuid?.() ?? 'u'}`, sourceHash(src));
  const bin = path.join(out, target === 'host' ? 'benchtop-agent' : 'benchtop-agent.armel');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(out, { recursive: true });
    try {
      execFileSync('make', ['-s', '-C', src, `OUT=${out}`, ...(target === 'arm' ? ['arm'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new BenchtopError('internal', `building the agent (${target}) failed: ${e.stderr?.toString().trim() || e.message}`);
    }
  }
  return bin;
}

/** Serve files once each over HTTP on 127.0.0.1 (the guest reaches it as 10.0.2.2). */
export async function serveFiles(files: Record<string, string>): Promise<{ port: number; close(): void }> {
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').replace(/^\//, '');
    const file = Object.prototype.hasOwnProperty.call(files, name) ? files[name] : undefined;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => server.close() };
}

/**
 * Put a freshly built agent into a running guest (at its shell prompt) and start it on the
 * board's agent UART. Resolves when it is started; `core.agents.waitReady` tells when it answers.
 */
export async function deployAgentViaConsole(core: Core, sessionId: string, o: { binary?: string; timeoutMs?: number } = {}): Promise<void> {
  const session = core.sessions.get(sessionId);
  const board = findBoard(session.board);
  const uart = board?.serials.find((s) => s.role === 'agent')?.guestDevice;
  if (!uart) throw new BenchtopError('unsupported-board', `board ${session.board} has no agent UART`);
  const bin = o.binary ?? buildAgent('arm');
  const srv = await serveFiles({ 'benchtop-agent': bin });
  const timeoutMs = o.timeoutMs ?? 60_000;
  try {
    const sh = (cmd: string) => runConsoleCommand(core.sessions, sessionId, cmd, { timeoutMs });
    const dest = '/tmp/benchtop-agent';
    const r = await sh(`wget -q -O ${dest}.new http://10.0.2.2:${srv.port}/benchtop-agent && chmod 755 ${dest}.new && mv ${dest}.new ${dest}`);
    if (r.exitCode !== 0) throw new BenchtopError('internal', `the guest could not fetch the agent: ${r.output.trim()}`);
    // One agent per UART: replace an older one if it runs.
    await sh(`for p in $(pidof benchtop-agent); do kill $p; done; true`);
    const s = await sh(`setsid ${dest} ${uart} </dev/null >/tmp/benchtop-agent.log 2>&1 &`);
    if (s.exitCode !== 0) throw new BenchtopError('internal', `the agent did not start: ${s.output.trim()}`);
  } finally {
    srv.close();
  }
}

/**
 * Wait for the session's agent; if none answers within `graceMs` (an image without the agent),
 * deploy one through the console and wait again.
 */
export async function ensureAgent(core: Core, sessionId: string, o: { graceMs?: number; timeoutMs?: number; onProgress?: (line: string) => void } = {}): Promise<'image' | 'deployed'> {
  try {
    await core.agents.waitReady(sessionId, o.graceMs ?? 5000);
    return 'image';
  } catch {
    o.onProgress?.('[agent] no agent answered: deploying one through the console');
    await deployAgentViaConsole(core, sessionId, { timeoutMs: o.timeoutMs });
    await core.agents.waitReady(sessionId, o.timeoutMs ?? 30_000);
    return 'deployed';
  }
}
