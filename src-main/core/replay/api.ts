/**
 * The event manager's part of the contract (src-shared/features/replay.ts). Spread into
 * createServiceImpl (../api.ts); the dispatcher validates every input and output.
 */
import type { MethodOutput, MethodParsedInput } from '../../../src-shared/contract';
import type { replayMethods } from '../../../src-shared/features/replay';
import type { Core } from '../core';

type ReplayMethodName = keyof typeof replayMethods;
export type ReplayImpl = { [M in ReplayMethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };

export function createReplayImpl(core: Core): ReplayImpl {
  const r = core.replay;
  return {
    'recorder.start': async ({ id, name }) => r.startRecording(id, name),
    'recorder.stop': async ({ id }) => r.stopRecording(id),
    'recorder.status': async ({ id }) => r.status(id),
    'recordings.list': async () => r.store.list(),
    'recordings.get': async ({ recordingId, rev }) => {
      const g = r.store.get(recordingId, rev);
      return { recordingId: g.recordingId, rev: g.rev, doc: g.doc };
    },
    'recordings.save': async ({ recordingId, baseRev, doc }) => r.save(recordingId, baseRev, doc),
    'recordings.rename': async ({ recordingId, name }) => r.rename(recordingId, name),
    'recordings.delete': async ({ recordingId }) => {
      r.delete(recordingId);
      return { ok: true as const };
    },
    'recordings.import': async ({ text }) => r.importText(text),
    'recordings.export': async ({ recordingId, rev }) => r.exportText(recordingId, rev),
    'replay.start': async ({ recordingId, rev, id, repeat, speed }) => r.startReplay({ recordingId, rev, sessionId: id, repeat, speed }),
    'replay.cancel': async ({ replayId }) => r.cancel(replayId),
    'replay.list': async ({ recordingId, id }) => r.store.replays({ recordingId, sessionId: id }),
    'replay.report': async ({ replayId }) => r.report(replayId),
  };
}
