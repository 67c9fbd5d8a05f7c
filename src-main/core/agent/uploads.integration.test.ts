/** A chunked upload through the contract into a real guest: staged on the host, pushed, byte-identical. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../src-shared/transport';
import { bootToPrompt, liveCore } from '../../../test/live-core';
import { inProcessApi } from '../api';
import type { Core } from '../core';
import { ensureAgent } from './deploy';

let core: Core;
let dispose: () => Promise<void>;
let api: Api;
let id: string;

beforeAll(async () => {
  ({ core, dispose } = await liveCore());
  api = inProcessApi(core);
  id = await bootToPrompt(core, 'uploads');
  await ensureAgent(core, id, { timeoutMs: 60_000 });
}, 300_000);
afterAll(async () => dispose?.());

describe('chunked upload on a real guest', () => {
  it('1.5 MiB in 384 KiB chunks arrives byte-identical, with progress of the guest push', async () => {
    const data = crypto.randomBytes(1536 * 1024);
    const progress: number[] = [];
    const off = api.on('files.progress', (p) => progress.push(p.sent));
    const { uploadId } = await api.files.uploadBegin({ id, path: '/tmp/chunked.bin', size: data.length, mode: 0o600 });
    for (let offset = 0; offset < data.length; offset += 384 * 1024) {
      await api.files.uploadChunk({ uploadId, offset, base64: data.subarray(offset, offset + 384 * 1024).toString('base64') });
    }
    const r = await api.files.uploadEnd({ uploadId });
    off();
    expect(r.size).toBe(data.length);
    // Read back into a host file: that takes the data channel (~3 MiB/s). As base64 it would
    // come over the UART at ~0.09 MiB/s — 17 s here, 170 s once on a loaded CI machine.
    const hostPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bt-upl-')), 'back.bin');
    const back = await api.files.get({ id, path: '/tmp/chunked.bin', hostPath });
    expect(back.size).toBe(data.length);
    expect(fs.readFileSync(hostPath).equals(data)).toBe(true);
    fs.rmSync(path.dirname(hostPath), { recursive: true, force: true });
    expect((await api.files.stat({ id, path: '/tmp/chunked.bin' })).mode & 0o777).toBe(0o600);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(data.length);
  }, 240_000);

  it('an aborted upload leaves nothing at the target path', async () => {
    const { uploadId } = await api.files.uploadBegin({ id, path: '/tmp/aborted.bin', size: 1000 });
    await api.files.uploadChunk({ uploadId, offset: 0, base64: Buffer.alloc(500).toString('base64') });
    await expect(api.files.uploadEnd({ uploadId })).rejects.toThrow(/500 of 1000 bytes/);
    await api.files.uploadAbort({ uploadId });
    await expect(api.files.stat({ id, path: '/tmp/aborted.bin' })).rejects.toThrow();
  });
});
