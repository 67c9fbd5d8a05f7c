/**
 * The WebSocket front door: the renderer in a plain browser talks to the core through this.
 * Binds 127.0.0.1 only; every connection must present the random token; every call is
 * validated by the same dispatcher as the Electron door. Also serves the built renderer.
 * Wire format: docs/websocket-protocol.md.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServiceImpl } from '../../src-shared/contract';
import { toWireError } from '../../src-shared/errors';
import type { ServerMessage } from '../../src-shared/transport';
import { dispatch } from '../core/api';
import type { EventBus } from '../core/events';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** A client whose socket has this much unsent data is dropped; it reconnects and refetches. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface WsServerOptions {
  impl: ServiceImpl;
  bus: EventBus;
  /** Folder with the built renderer (index.html); null serves no UI (API only). */
  staticDir: string | null;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string; // the page URL including the token
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startWsServer(opts: WsServerOptions): Promise<RunningServer> {
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const httpServer = http.createServer((req, res) => serveStatic(opts.staticDir, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const clients = new Set<WebSocket>();

  httpServer.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const origin = req.headers.origin;
    const port = (httpServer.address() as { port: number }).port;
    const originOk = origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    const tokenOk = given.length === tokenBuf.length && crypto.timingSafeEqual(given, tokenBuf);
    if (url.pathname !== '/ws' || !tokenOk || !originOk) {
      socket.end(`HTTP/1.1 ${tokenOk ? 403 : 401} ${tokenOk ? 'Forbidden' : 'Unauthorized'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => ws.terminate());
      ws.on('message', (raw, isBinary) => void onMessage(ws, raw as Buffer, isBinary));
    });
  });

  const send = (ws: WebSocket, msg: ServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(1013, 'client too slow; reconnect and refetch');
      return;
    }
    ws.send(JSON.stringify(msg));
  };

  async function onMessage(ws: WebSocket, raw: Buffer, isBinary: boolean): Promise<void> {
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary frames are not part of the protocol');
      msg = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      send(ws, { t: 'error', error: { code: 'bad-request', message: `malformed message: ${(err as Error).message}` } });
      return;
    }
    const m = msg as { t?: unknown; id?: unknown; method?: unknown; input?: unknown };
    if (typeof m !== 'object' || m === null || m.t !== 'call' || typeof m.id !== 'number' || typeof m.method !== 'string') {
      send(ws, { t: 'error', error: { code: 'bad-request', message: 'expected {"t":"call","id":<number>,"method":<string>,"input":…}' } });
      return;
    }
    try {
      const output = await dispatch(opts.impl, m.method, m.input);
      send(ws, { t: 'result', id: m.id, ok: true, output });
    } catch (err) {
      send(ws, { t: 'result', id: m.id, ok: false, error: toWireError(err) });
    }
  }

  const unsubscribe = opts.bus.onAny((event, payload) => {
    const text = JSON.stringify({ t: 'event', event, payload } satisfies ServerMessage);
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.close(1013, 'client too slow; reconnect and refetch');
      else ws.send(text);
    }
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (httpServer.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => httpServer.close(() => r()));
    },
  };
}

function serveStatic(dir: string | null, req: http.IncomingMessage, res: http.ServerResponse): void {
  const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  if (!dir) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('no UI is served here');
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    res.writeHead(400, headers).end();
    return;
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(dir, '.' + rel);
  if (!file.startsWith(path.resolve(dir) + path.sep)) {
    res.writeHead(403, headers).end();
    return;
  }
  fs.readFile(file, (err, data) => {
    if (err) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : data);
  });
}
