/** The Files pane's calls mapped onto the agent's contract methods (`files.*`). */
import type { Api } from '../../../../src-shared/transport';
import { getApi } from '../../platform/apiRef';
import { useConnection } from '../../platform/connectionStore';
import { base64Length, base64ToBytes, bytesToBase64 } from './base64';
import { FilesController, type FilesBackend } from './filesStore';
import { formatSize } from './paths';

/**
 * The WebSocket door takes messages of at most 1 MiB from a client (docs/websocket-protocol.md),
 * and `files.put` carries the whole file as base64 in one call: that bounds an upload there.
 */
export const WS_MAX_MESSAGE = 1024 * 1024;
const ENVELOPE = 4096;

export function maxUploadBytes(frontDoor: 'electron' | 'websocket' | null): number {
  return frontDoor === 'websocket' ? Math.floor(((WS_MAX_MESSAGE - ENVELOPE) / 4) * 3) : 64 * 1024 * 1024;
}

export function agentFilesBackend(api: Pick<Api, 'files'>, frontDoor: () => 'electron' | 'websocket' | null = () => null): FilesBackend {
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
      const max = maxUploadBytes(frontDoor());
      if (base64Length(data.length) > base64Length(max)) {
        throw new Error(
          `${formatSize(data.length)} is more than one upload can carry through the WebSocket door (${formatSize(max)}); ` +
            'copy it into the session folder on the host and push it with Run on target instead',
        );
      }
      // The contract has no chunked put, so no progress until the end.
      await api.files.put({ id, path, base64: bytesToBase64(data), mode });
      progress?.(data.length, data.length);
    },
    async remove(id, path) {
      await api.files.remove({ id, path });
    },
  };
}

/** The app's one controller. */
export const files = new FilesController(() => agentFilesBackend(getApi(), () => useConnection.getState().frontDoor ?? null));
