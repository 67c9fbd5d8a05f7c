import { describe, expect, it } from 'vitest';
import { agentFilesBackend, maxUploadBytes } from './filesBackend';

describe('agentFilesBackend', () => {
  it('maps list/get/put/remove onto files.*, content as base64', async () => {
    const calls: unknown[] = [];
    const api = {
      files: {
        list: async (i: unknown) => (calls.push(['list', i]), { path: '/tmp', entries: [{ name: 'a', type: 'f', mode: 0o644, size: 1, mtime: 0 }] }),
        get: async (i: unknown) => (calls.push(['get', i]), { path: '/tmp/a', size: 2, crc32: 0, base64: 'aGk=', hostPath: null }),
        put: async (i: unknown) => (calls.push(['put', i]), { path: '/tmp/b', size: 2, crc32: 0 }),
        remove: async (i: unknown) => (calls.push(['remove', i]), { ok: true as const }),
      },
    };
    const b = agentFilesBackend(api as never, () => 'websocket');
    expect((await b.list('s', '/tmp')).map((e) => e.name)).toEqual(['a']);
    const progress: number[] = [];
    expect(new TextDecoder().decode(await b.read('s', '/tmp/a', (d) => progress.push(d)))).toBe('hi');
    await b.write('s', '/tmp/b', new TextEncoder().encode('hi'), 0o755, (d) => progress.push(d));
    await b.remove('s', '/tmp/b');
    expect(progress).toEqual([2, 2]);
    expect(calls).toEqual([
      ['list', { id: 's', path: '/tmp' }],
      ['get', { id: 's', path: '/tmp/a' }],
      ['put', { id: 's', path: '/tmp/b', base64: 'aGk=', mode: 0o755 }],
      ['remove', { id: 's', path: '/tmp/b' }],
    ]);
  });

  it('refuses an upload the WebSocket door cannot carry, before sending it', async () => {
    let sent = false;
    const api = { files: { put: async () => ((sent = true), { path: '', size: 0, crc32: 0 }) } };
    const max = maxUploadBytes('websocket');
    expect(max).toBeLessThan(1024 * 1024);
    const b = agentFilesBackend(api as never, () => 'websocket');
    await expect(b.write('s', '/tmp/big', new Uint8Array(max + 3), 0o644)).rejects.toThrow(/WebSocket door/);
    expect(sent).toBe(false);
    await b.write('s', '/tmp/ok', new Uint8Array(max), 0o644);
    expect(sent).toBe(true);
    expect(maxUploadBytes('electron')).toBeGreaterThan(max);
  });
});
