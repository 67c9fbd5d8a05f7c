/**
 * The agent feature's part of the contract (src-shared/features/agent.ts): files, processes,
 * debug through the target agent. Spread into createServiceImpl (../api.ts); the dispatcher
 * validates every input and output against the contract.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MethodOutput, MethodParsedInput } from '../../../src-shared/contract';
import type { agentMethods } from '../../../src-shared/features/agent';
import { BenchtopError } from '../../../src-shared/errors';
import type { Core } from '../core';
import { AgentError } from './client';
import { toDebugInfo } from './service';

type AgentMethodName = keyof typeof agentMethods;
export type AgentImpl = { [M in AgentMethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };

const ok = { ok: true as const };

export function createAgentImpl(core: Core): AgentImpl {
  const a = core.agents;
  return {
    'agent.status': async ({ id }) => a.status(id),
    'agent.ping': async ({ id, timeoutMs }) => a.ping(id, timeoutMs),
    'files.list': async ({ id, path: p }) => ({ path: p, entries: await a.files(id).list(p) }),
    'files.stat': async ({ id, path: p }) => {
      const e = await a.files(id).stat(p);
      // STAT names the entry by the path asked for; the UI wants the base name.
      return { ...e, name: path.posix.basename(e.name) || e.name };
    },
    'files.get': async ({ id, path: p, hostPath, maxBytes }) => {
      const ch = a.files(id);
      if (hostPath) {
        if (!fs.existsSync(path.dirname(hostPath))) throw new BenchtopError('missing-file', `host folder ${path.dirname(hostPath)} does not exist`);
        const r = await ch.getToFile(p, hostPath);
        return { path: p, size: r.size, crc32: r.crc32, base64: null, hostPath };
      }
      const chunks: Buffer[] = [];
      const r = await ch.getStream(p, {
        onChunk: (c, received) => {
          if (received > maxBytes) throw new AgentError(`${p} is larger than ${maxBytes} bytes (use hostPath)`, 'aborted');
          chunks.push(c);
        },
      });
      return { path: p, size: r.size, crc32: r.crc32, base64: Buffer.concat(chunks).toString('base64'), hostPath: null };
    },
    'files.put': async ({ id, path: p, base64, hostPath, mode }) => {
      const ch = a.files(id);
      if (hostPath !== undefined && !fs.existsSync(hostPath)) throw new BenchtopError('missing-file', `host file ${hostPath} does not exist`);
      const r = await ch.put(p, hostPath !== undefined ? { file: hostPath } : Buffer.from(base64 ?? '', 'base64'), { mode });
      return { path: p, size: r.size, crc32: r.crc32 };
    },
    'files.remove': async ({ id, path: p }) => {
      await a.files(id).remove(p);
      return ok;
    },
    'files.uploadBegin': async ({ id, path: p, size, mode }) => {
      core.sessions.get(id);
      return { uploadId: core.uploads.begin({ sessionId: id, path: p, size, mode }).uploadId };
    },
    'files.uploadChunk': async ({ uploadId, offset, base64 }) => ({ received: core.uploads.chunk(uploadId, offset, Buffer.from(base64, 'base64')).received }),
    'files.uploadEnd': async ({ uploadId }) => {
      const u = core.uploads.complete(uploadId);
      try {
        let last = 0;
        const r = await a.files(u.sessionId).put(u.path, { file: u.file }, {
          mode: u.mode,
          onProgress: (sent, size) => {
            const t = Date.now();
            if (t - last < 100 && sent < size) return; // ~10 progress events a second at most
            last = t;
            core.bus.emit('files.progress', { sessionId: u.sessionId, uploadId, path: u.path, sent, size });
          },
        });
        return { path: u.path, size: r.size, crc32: r.crc32 };
      } finally {
        core.uploads.drop(uploadId);
      }
    },
    'files.uploadAbort': async ({ uploadId }) => {
      core.uploads.drop(uploadId);
      return ok;
    },
    'proc.spawn': async ({ id, argv, cwd, env }) => a.spawn(id, argv, { cwd, env }),
    'proc.signal': async ({ id, pid, signal }) => {
      await a.signal(id, pid, signal);
      return ok;
    },
    'proc.stdin': async ({ id, pid, data, close }) => {
      await a.stdin(id, pid, data, close);
      return ok;
    },
    'proc.list': async ({ id }) => a.procs(id),
    'debug.start': async ({ id, spawn, attach }) => {
      const d = await a.debugStart(id, spawn ? { spawn: spawn.argv } : { attach: attach!.pid });
      return toDebugInfo(id, d);
    },
    'debug.stop': async ({ id, debugId }) => {
      await a.debugStop(id, debugId);
      return ok;
    },
    'debug.list': async ({ id }) => a.debugList(id),
  };
}

