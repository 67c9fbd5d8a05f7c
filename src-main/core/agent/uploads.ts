/**
 * Uploads staged on the host, so a file of any size can go through the front doors' 1 MiB
 * messages: the renderer sends it in chunks (files.uploadBegin / uploadChunk / uploadEnd), the
 * core writes them to a private temp file, and at the end pushes that file into the guest with
 * the agent's put (temp name + CRC + rename there: a broken transfer leaves no half file in the
 * guest either). An upload nobody touched for 10 minutes is dropped with its temp file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BenchtopError } from '../../../src-shared/errors';
import { makePrivateDir } from '../util/private-dir';

export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;
export const MAX_CHUNK_BYTES = 512 * 1024;
const IDLE_MS = 10 * 60 * 1000;

export interface StagedUpload {
  uploadId: string;
  sessionId: string;
  path: string;
  mode: number;
  size: number;
  received: number;
  file: string;
  fd: number;
  touchedAt: number;
}

export class UploadStaging {
  private dir: string | null = null;
  private readonly uploads = new Map<string, StagedUpload>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref?.();
  }

  begin(o: { sessionId: string; path: string; size: number; mode: number }): StagedUpload {
    if (o.size > MAX_UPLOAD_BYTES) throw new BenchtopError('bad-request', `upload of ${o.size} bytes is over the ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB limit`);
    this.dir ??= makePrivateDir('up-');
    const uploadId = `u${crypto.randomBytes(6).toString('hex')}`;
    const file = path.join(this.dir, uploadId);
    const fd = fs.openSync(file, 'wx', 0o600);
    const u: StagedUpload = { uploadId, ...o, received: 0, file, fd, touchedAt: this.now() };
    this.uploads.set(uploadId, u);
    return u;
  }

  /** Chunks come in order: `offset` must be what was received so far (a resent chunk is named). */
  chunk(uploadId: string, offset: number, data: Buffer): StagedUpload {
    const u = this.get(uploadId);
    if (data.length > MAX_CHUNK_BYTES) throw new BenchtopError('bad-request', `chunk of ${data.length} bytes is over ${MAX_CHUNK_BYTES} bytes`);
    if (offset !== u.received) throw new BenchtopError('bad-request', `upload ${uploadId}: chunk at offset ${offset}, expected ${u.received}`);
    if (u.received + data.length > u.size) throw new BenchtopError('bad-request', `upload ${uploadId}: ${u.received + data.length} bytes is more than the announced ${u.size}`);
    fs.writeSync(u.fd, data, 0, data.length, offset);
    u.received += data.length;
    u.touchedAt = this.now();
    return u;
  }

  /** The complete staged file (the caller pushes it and then calls `drop`). */
  complete(uploadId: string): StagedUpload {
    const u = this.get(uploadId);
    if (u.received !== u.size) throw new BenchtopError('bad-request', `upload ${uploadId} has ${u.received} of ${u.size} bytes`);
    fs.closeSync(u.fd);
    u.fd = -1;
    return u;
  }

  drop(uploadId: string): void {
    const u = this.uploads.get(uploadId);
    if (!u) return;
    this.uploads.delete(uploadId);
    if (u.fd >= 0) fs.closeSync(u.fd);
    fs.rmSync(u.file, { force: true });
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.uploads.keys()]) this.drop(id);
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private get(uploadId: string): StagedUpload {
    const u = this.uploads.get(uploadId);
    if (!u) throw new BenchtopError('not-found', `no upload ${uploadId} (finished, aborted, or idle for more than 10 minutes)`);
    return u;
  }

  private sweep(): void {
    const t = this.now();
    for (const u of [...this.uploads.values()]) if (t - u.touchedAt > IDLE_MS) this.drop(u.uploadId);
  }
}
