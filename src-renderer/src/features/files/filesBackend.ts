/** The Files pane's calls mapped onto the agent's contract methods (`files.*`). */
import type { Api } from '../../../../src-shared/transport';
import { getApi } from '../../platform/apiRef';
import { base64ToBytes, bytesToBase64 } from './base64';
import { FilesController, type FilesBackend } from './filesStore';

/**
 * Files up to this size go in one `files.put`; larger ones in chunks (files.uploadBegin /
 * uploadChunk / uploadEnd), so no front-door message comes near the WebSocket door's 1 MiB.
 */
export const SINGLE_PUT_BYTES = 256 * 1024;
export const CHUNK_BYTES = 384 * 1024;
/** Share of the progress bar for getting the bytes to the host; the guest push is the slow part. */
const STAGING_SHARE = 0.1;

export function agentFilesBackend(api: Pick<Api, 'files' | 'on'>): FilesBackend {
  return {
    async list(id, path) {
      return (await api.files.list({ id, path })).entries;
    },
    async read(id, path, progress) {
      const r = await api.files.get({ id, path });
      const bytes = base64ToBytes(r.base64 ?? '');
      progress?.(bytes.length, bytes.length);
      return bytes;
    },
    async write(id, path, data, mode, progress) {
      if (data.length <= SINGLE_PUT_BYTES) {
        await api.files.put({ id, path, base64: bytesToBase64(data), mode });
        progress?.(data.length, data.length);
        return;
      }
      const total = data.length;
      const { uploadId } = await api.files.uploadBegin({ id, path, size: total, mode });
      try {
        for (let offset = 0; offset < total; offset += CHUNK_BYTES) {
          const chunk = data.subarray(offset, Math.min(total, offset + CHUNK_BYTES));
          await api.files.uploadChunk({ uploadId, offset, base64: bytesToBase64(chunk) });
          progress?.(Math.round((offset + chunk.length) * STAGING_SHARE), total);
        }
        const off = api.on('files.progress', (p) => {
          if (p.uploadId === uploadId) progress?.(Math.round(total * STAGING_SHARE + p.sent * (1 - STAGING_SHARE) * (total / Math.max(1, p.size))), total);
        });
        try {
          await api.files.uploadEnd({ uploadId });
        } finally {
          off();
        }
        progress?.(total, total);
      } catch (e) {
        await api.files.uploadAbort({ uploadId }).catch(() => undefined);
        throw e;
      }
    },
    async remove(id, path) {
      await api.files.remove({ id, path });
    },
  };
}

/** The app's one controller. */
export const files = new FilesController(() => agentFilesBackend(getApi()));
