/**
 * The contract methods and events the Recordings feature uses (src-shared/features/replay.ts),
 * as one small interface so its logic can be tested with a fake in place of the whole API.
 */
import type { z } from 'zod';
import { events as contractEvents, isMethodName } from '../../../../src-shared/contract';
import { BenchtopError } from '../../../../src-shared/errors';
import type { replayEvents, replayMethods } from '../../../../src-shared/features/replay';
import type { Api } from '../../../../src-shared/transport';

type Methods = typeof replayMethods;
type In<K extends keyof Methods> = z.input<Methods[K]['input']>;
type Out<K extends keyof Methods> = z.output<Methods[K]['output']>;

export type RecordingsEventName = keyof typeof replayEvents;
export type RecordingsEventPayload<E extends RecordingsEventName> = z.output<(typeof replayEvents)[E]>;

export type { RecordingSummary, RecorderStatus, ReplayInfo, ReplayReport, ReplayEventResult } from '../../../../src-shared/features/replay';
export type RecordingRevision = Out<'recordings.get'>;

export interface RecordingsApi {
  recorderStart(input: In<'recorder.start'>): Promise<Out<'recorder.start'>>;
  recorderStop(input: In<'recorder.stop'>): Promise<Out<'recorder.stop'>>;
  recorderStatus(input: In<'recorder.status'>): Promise<Out<'recorder.status'>>;
  list(input: In<'recordings.list'>): Promise<Out<'recordings.list'>>;
  get(input: In<'recordings.get'>): Promise<RecordingRevision>;
  save(input: In<'recordings.save'>): Promise<Out<'recordings.save'>>;
  rename(input: In<'recordings.rename'>): Promise<Out<'recordings.rename'>>;
  delete(input: In<'recordings.delete'>): Promise<Out<'recordings.delete'>>;
  import(input: In<'recordings.import'>): Promise<Out<'recordings.import'>>;
  export(input: In<'recordings.export'>): Promise<Out<'recordings.export'>>;
  replayStart(input: In<'replay.start'>): Promise<Out<'replay.start'>>;
  replayCancel(input: In<'replay.cancel'>): Promise<Out<'replay.cancel'>>;
  replayList(input: In<'replay.list'>): Promise<Out<'replay.list'>>;
  replayReport(input: In<'replay.report'>): Promise<Out<'replay.report'>>;
  on<E extends RecordingsEventName>(event: E, listener: (payload: RecordingsEventPayload<E>) => void): () => void;
}

type Verb = (input: unknown) => Promise<unknown>;
type LooseApi = Record<string, Record<string, Verb> | undefined> & { on(event: string, l: (p: unknown) => void): () => void };

/**
 * The event-manager half of the app's typed API. Written against its contract file rather than
 * `Api` so the feature builds whether or not the contract object lists these entries yet; a
 * core without them answers like an unknown method, and their events are never delivered.
 */
export function recordingsApiFrom(api: Api): RecordingsApi {
  const loose = api as unknown as LooseApi;
  const call = (name: string) => {
    const [ns, verb] = name.split('.') as [string, string];
    return async (input: unknown): Promise<never> => {
      const fn = isMethodName(name) ? loose[ns]?.[verb] : undefined;
      if (!fn) throw new BenchtopError('bad-request', `unknown method ${name}: this Benchtop core cannot record or replay yet`);
      return (await fn(input)) as never;
    };
  };
  return {
    recorderStart: call('recorder.start'),
    recorderStop: call('recorder.stop'),
    recorderStatus: call('recorder.status'),
    list: call('recordings.list'),
    get: call('recordings.get'),
    save: call('recordings.save'),
    rename: call('recordings.rename'),
    delete: call('recordings.delete'),
    import: call('recordings.import'),
    export: call('recordings.export'),
    replayStart: call('replay.start'),
    replayCancel: call('replay.cancel'),
    replayList: call('replay.list'),
    replayReport: call('replay.report'),
    on: (event, listener) => {
      // createApi validates each payload with the contract's schema of that event: none, none delivered.
      if (!(event in contractEvents)) return () => {};
      return loose.on(event, listener as (p: unknown) => void);
    },
  };
}
