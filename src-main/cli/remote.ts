/**
 * The contract's typed Api for command-line tools on a running `benchtop serve` (its printed
 * URL with the token), through the WebSocket front door — so a script can watch a session the
 * workbench is showing. (For a headless session of its own a tool uses `inProcessApi(core)`
 * from ../core/api.ts: the same dispatcher in this process.)
 */
import WebSocket from 'ws';
import { BenchtopError } from '../../src-shared/errors';
import { createApi, wireErrorToError, type Api, type ServerMessage, type Transport } from '../../src-shared/transport';

export interface RemoteApi {
  api: Api;
  close(): void;
}

/** `http://127.0.0.1:PORT/?token=T` (as `benchtop serve` prints it) → the socket URL. */
export function socketUrlOf(pageUrl: string): string {
  let u: URL;
  try {
    u = new URL(pageUrl);
  } catch {
    throw new BenchtopError('bad-request', `--url: not a URL: ${pageUrl}`);
  }
  const token = u.searchParams.get('token');
  if (!token) throw new BenchtopError('bad-request', '--url must carry the token, as `benchtop serve` prints it (…/?token=…)');
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new BenchtopError('bad-request', `--url: Benchtop serves on 127.0.0.1 only, not ${u.hostname}`);
  return `ws://${u.host}/ws?token=${encodeURIComponent(token)}`;
}

export async function connectRemote(pageUrl: string, timeoutMs = 5000): Promise<RemoteApi> {
  const ws = new WebSocket(socketUrlOf(pageUrl), { maxPayload: 64 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchtopError('timeout', `no answer from ${pageUrl} within ${timeoutMs} ms`)), timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new BenchtopError('bad-request', `the server refused the connection: HTTP ${res.statusCode}${res.statusCode === 401 ? ' (wrong token?)' : ''}`));
    });
    ws.once('error', (e) => {
      clearTimeout(timer);
      reject(new BenchtopError('not-found', `cannot reach ${pageUrl}: ${e.message}`));
    });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  ws.on('message', (raw) => {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(String(raw)) as ServerMessage;
    } catch {
      return;
    }
    if (msg.t === 'result') {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.output);
      else p?.reject(wireErrorToError(msg.error));
    } else if (msg.t === 'event') {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
    }
  });
  ws.on('close', () => {
    for (const p of pending.values()) p.reject(new BenchtopError('internal', 'the connection to the workbench closed'));
    pending.clear();
  });
  const transport: Transport = {
    invoke: (method, input) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ t: 'call', id, method, input }));
      }),
    subscribe: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  return { api: createApi(transport), close: () => ws.close() };
}
