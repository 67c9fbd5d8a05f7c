import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serve, type Serving } from './serve';

// The WebSocket door against the real core and a real SQLite workspace. The image provider
// points at files that do not exist, which is itself one of the bad inputs under test.
let server: Serving;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-ws-'));
  const ui = path.join(dir, 'ui');
  fs.mkdirSync(ui);
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>t</title>');
  server = await serve({
    workspace: path.join(dir, 'ws'),
    staticDir: ui,
    images: async (b) => ({ board: b.id, kernel: path.join(dir, 'no-such-zImage'), initrd: path.join(dir, 'x'), sd: path.join(dir, 'y'), vmlinux: null }),
  });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function connect(token = server.token, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(token)}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, pred: (m: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const on = (raw: WebSocket.RawData) => {
      const m = JSON.parse(raw.toString()) as Record<string, unknown>;
      if (pred(m)) {
        ws.off('message', on);
        resolve(m);
      }
    };
    ws.on('message', on);
  });
}

let nextId = 1;
async function call(ws: WebSocket, method: string, input: unknown) {
  const id = nextId++;
  const reply = nextMessage(ws, (m) => m.t === 'result' && m.id === id);
  ws.send(JSON.stringify({ t: 'call', id, method, input }));
  return reply;
}

describe('WebSocket front door', () => {
  it('binds loopback only and rejects a wrong token or a foreign origin', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    await expect(connect('wrong')).rejects.toThrow(/401/);
    await expect(connect(server.token, 'http://evil.example')).rejects.toThrow(/403/);
    const ok = await connect(server.token, `http://127.0.0.1:${server.port}`);
    ok.close();
  });

  it('answers malformed messages with a clear error and keeps serving', async () => {
    const ws = await connect();
    const err = nextMessage(ws, (m) => m.t === 'error');
    ws.send('{not json');
    expect(await err).toMatchObject({ error: { code: 'bad-request', message: expect.stringMatching(/malformed message/) } });
    const err2 = nextMessage(ws, (m) => m.t === 'error');
    ws.send(JSON.stringify({ hello: 1 }));
    expect(await err2).toMatchObject({ error: { code: 'bad-request' } });
    expect(await call(ws, 'no.such', {})).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/unknown method/) } });
    expect(await call(ws, 'sessions.start', { id: 'NOT AN ID' })).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/invalid input for sessions.start: id/) } });
    expect(await call(ws, 'boards.list', {})).toMatchObject({ ok: true, output: [expect.objectContaining({ id: 'mainstone' })] });
    ws.close();
  });

  it('a missing kernel file fails the start clearly and loses nothing saved', async () => {
    const ws = await connect();
    const created = (await call(ws, 'sessions.create', { name: 'keep me' })) as { output: { id: string } };
    const id = created.output.id;
    const started = await call(ws, 'sessions.start', { id });
    expect(started).toMatchObject({ ok: false, error: { code: 'missing-file', message: expect.stringMatching(/kernel file not found: .*no-such-zImage/) } });
    const list = (await call(ws, 'sessions.list', {})) as { output: { id: string; name: string; state: string; error: string }[] };
    const s = list.output.find((x) => x.id === id);
    expect(s).toMatchObject({ name: 'keep me', state: 'stopped', error: expect.stringMatching(/kernel file not found/) });
    const hist = (await call(ws, 'sessions.history', { id })) as { output: { kind: string }[] };
    expect(hist.output.map((e) => e.kind)).toEqual(['created', 'start', 'error']);
    ws.close();
  });

  it('serves the UI with a CSP and refuses paths outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const bad = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(bad.status);
  });
});
