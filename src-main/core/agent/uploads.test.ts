import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UploadStaging } from './uploads';

describe('UploadStaging', () => {
  it('stages chunks in order into a private file and gives back the whole', () => {
    const s = new UploadStaging();
    const u = s.begin({ sessionId: 's', path: '/tmp/x', size: 10, mode: 0o644 });
    expect(fs.statSync(u.file).mode & 0o777).toBe(0o600);
    s.chunk(u.uploadId, 0, Buffer.from('hello'));
    expect(() => s.chunk(u.uploadId, 0, Buffer.from('again'))).toThrow(/offset 0, expected 5/);
    expect(() => s.complete(u.uploadId)).toThrow(/5 of 10 bytes/);
    s.chunk(u.uploadId, 5, Buffer.from('world'));
    expect(() => s.chunk(u.uploadId, 10, Buffer.from('!'))).toThrow(/more than the announced 10/);
    const done = s.complete(u.uploadId);
    expect(fs.readFileSync(done.file, 'utf8')).toBe('helloworld');
    s.drop(u.uploadId);
    expect(fs.existsSync(done.file)).toBe(false);
    expect(() => s.chunk(u.uploadId, 10, Buffer.alloc(0))).toThrow(/no upload/);
    s.close();
  });
  it('refuses oversize uploads and chunks', () => {
    const s = new UploadStaging();
    expect(() => s.begin({ sessionId: 's', path: '/x', size: 2 * 1024 ** 3, mode: 0o644 })).toThrow(/over the 1024 MiB limit/);
    const u = s.begin({ sessionId: 's', path: '/x', size: 2 * 1024 * 1024, mode: 0o644 });
    expect(() => s.chunk(u.uploadId, 0, Buffer.alloc(600 * 1024))).toThrow(/over 524288 bytes/);
    s.close();
  });
});
