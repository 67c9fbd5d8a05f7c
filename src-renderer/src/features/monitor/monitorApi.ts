/**
 * The contract methods and events the Monitor pane uses (src-shared/features/monitor.ts, plus
 * `proc.signal` of the agent), as one small interface so the pane's logic can be tested with a
 * fake and so the pane does not depend on how the contract object is assembled.
 */
import type { z } from 'zod';
import { events as contractEvents } from '../../../../src-shared/contract';
import { BenchtopError } from '../../../../src-shared/errors';
import type { monitorEvents, monitorMethods } from '../../../../src-shared/features/monitor';
import type { Api } from '../../../../src-shared/transport';

type Methods = typeof monitorMethods;
type In<K extends keyof Methods> = z.input<Methods[K]['input']>;
type Out<K extends keyof Methods> = z.output<Methods[K]['output']>;

export type MonitorEventName = keyof typeof monitorEvents;
export type MonitorEventPayload<E extends MonitorEventName> = z.output<(typeof monitorEvents)[E]>;

export type RunInfo = Out<'monitor.runs'>[number];
export type SeriesResult = Out<'monitor.series'>;
export type InspectResult = Out<'inspect.view'>;
export type MemoryResult = Out<'inspect.memory'>;
export type ProcsAt = Out<'monitor.procs'>;
export type GuestSignal = 'SIGSTOP' | 'SIGCONT' | 'SIGKILL';

export interface MonitorApi {
  state(input: In<'monitor.state'>): Promise<Out<'monitor.state'>>;
  configure(input: In<'monitor.configure'>): Promise<Out<'monitor.configure'>>;
  runs(input: In<'monitor.runs'>): Promise<Out<'monitor.runs'>>;
  series(input: In<'monitor.series'>): Promise<SeriesResult>;
  procs(input: In<'monitor.procs'>): Promise<ProcsAt>;
  view(input: In<'inspect.view'>): Promise<InspectResult>;
  memory(input: In<'inspect.memory'>): Promise<MemoryResult>;
  signal(input: { id: string; pid: number; signal: GuestSignal }): Promise<void>;
  on<E extends MonitorEventName>(event: E, listener: (payload: MonitorEventPayload<E>) => void): () => void;
}

type Verb = (input: unknown) => Promise<unknown>;
type LooseApi = Record<string, Record<string, Verb> | undefined> & { on(event: string, l: (p: unknown) => void): () => void };

/**
 * The monitor half of the app's typed API. Written against the monitor contract file rather than
 * `Api` so the pane builds whether or not the contract object lists these entries yet; a core
 * without them answers like an unknown method, and their events are simply never delivered.
 */
export function monitorApiFrom(api: Api, knownEvents: object = contractEvents): MonitorApi {
  const loose = api as unknown as LooseApi;
  const call = (name: string) => {
    const [ns, verb] = name.split('.') as [string, string];
    return async (input: unknown): Promise<never> => {
      const fn = loose[ns]?.[verb];
      if (!fn) throw new BenchtopError('bad-request', `unknown method ${name}: this Benchtop core has no resource monitor yet`);
      return (await fn(input)) as never;
    };
  };
  return {
    state: call('monitor.state'),
    configure: call('monitor.configure'),
    runs: call('monitor.runs'),
    series: call('monitor.series'),
    procs: call('monitor.procs'),
    view: call('inspect.view'),
    memory: call('inspect.memory'),
    signal: async (input) => {
      await api.proc.signal(input);
    },
    on: (event, listener) => {
      // createApi validates each payload with the contract's schema of that event: none, none delivered.
      if (!(event in knownEvents)) return () => {};
      return loose.on(event, listener as (p: unknown) => void);
    },
  };
}
