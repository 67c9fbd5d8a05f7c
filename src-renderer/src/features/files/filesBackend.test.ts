import { describe, expect, it } from 'vitest';
import { agentFilesBackend, CHUNK_BYTES, SINGLE_PUT_BYTES } from './filesBackend';

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
    const b = agentFilesBackend(api as never);
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

  it('sends a large file in chunks under the door message limit, reports progress, and aborts on failure', async () => {
    const calls: [string, Record<string, unknown>][] = [];
    let progressListener: ((p: { uploadId: string; sent: number; size: number }) => void) | null = null;
    let failEnd = false;
    const api = {
      on: (_e: string, l: typeof progressListener) => ((progressListener = l), () => (progressListener = null)),
      files: {
        put: async () => ({ path: '', size: 0, crc32: 0 }),
        uploadBegin: async (i: Record<string, unknown>) => (calls.push(['begin', i]), { uploadId: 'u000000000001' }),
        uploadChunk: async (i: Record<string, unknown>) => (calls.push(['chunk', { offset: i.offset, chars: (i.base64 as string).length }]), { received: 0 }),
        uploadEnd: async (i: Record<string, unknown>) => {
          calls.push(['end', i]);
          progressListener?.({ uploadId: 'u000000000001', sent: 500_000, size: 1_000_000 });
          if (failEnd) throw new Error('agent link reset');
          return { path: '/tmp/big', size: 1_000_000, crc32: 1 };
        },
        uploadAbort: async (i: Record<string, unknown>) => (calls.push(['abort', i]), { ok: true as const }),
      },
    };
    const b = agentFilesBackend(api as never);
    const size = 1_000_000;
    const progress: number[] = [];
    await b.write('s', '/tmp/big', new Uint8Array(size), 0o755, (d) => progress.push(d));
    expect(calls[0]).toEqual(['begin', { id: 's', path: '/tmp/big', size, mode: 0o755 }]);
    const chunks = calls.filter((c) => c[0] === 'chunk').map((c) => c[1]);
    expect(chunks.map((c) => c.offset)).toEqual([0, CHUNK_BYTES, 2 * CHUNK_BYTES]);
    for (const c of chunks) expect(c.chars as number).toBeLessThan(700_000); // the contract's bound, well under 1 MiB
    expect(calls.at(-1)).toEqual(['end', { uploadId: 'u000000000001' }]);
    expect(progress.at(-1)).toBe(size);
    expect(progress.some((p) => p > size * 0.1 && p < size)).toBe(true); // the guest push moved the bar
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    failEnd = true;
    calls.length = 0;
    await expect(b.write('s', '/tmp/big', new Uint8Array(size), 0o644)).rejects.toThrow(/link reset/);
    expect(calls.at(-1)![0]).toBe('abort');
    expect(SINGLE_PUT_BYTES).toBeLessThan(CHUNK_BYTES * 2);
  });
});
