/**
 * The contract methods and events the Monitor pane uses (src-shared/features/monitor.ts, plus
 * `proc.signal` of the agent), as one small interface so the pane's logic can be tested with a
 * fake in place of the whole typed API.
 */
import type { MethodInput, MethodOutput } from '../../../../src-shared/contract';
import type { monitorEvents } from '../../../../src-shared/features/monitor';
import type { Api } from '../../../../src-shared/transport';
import type { z } from 'zod';

export type MonitorEventName = keyof typeof monitorEvents;
export type MonitorEventPayload<E extends MonitorEventName> = z.output<(typeof monitorEvents)[E]>;

export type RunInfo = MethodOutput<'monitor.runs'>[number];
export type SeriesResult = MethodOutput<'monitor.series'>;
export type InspectResult = MethodOutput<'inspect.view'>;
export type MemoryResult = MethodOutput<'inspect.memory'>;
export type ProcsAt = MethodOutput<'monitor.procs'>;
export type GuestSignal = 'SIGSTOP' | 'SIGCONT' | 'SIGKILL';

export interface MonitorApi {
  state(input: MethodInput<'monitor.state'>): Promise<MethodOutput<'monitor.state'>>;
  configure(input: MethodInput<'monitor.configure'>): Promise<MethodOutput<'monitor.configure'>>;
  runs(input: MethodInput<'monitor.runs'>): Promise<MethodOutput<'monitor.runs'>>;
  series(input: MethodInput<'monitor.series'>): Promise<SeriesResult>;
  procs(input: MethodInput<'monitor.procs'>): Promise<ProcsAt>;
  view(input: MethodInput<'inspect.view'>): Promise<InspectResult>;
  memory(input: MethodInput<'inspect.memory'>): Promise<MemoryResult>;
  signal(input: { id: string; pid: number; signal: GuestSignal }): Promise<void>;
  on<E extends MonitorEventName>(event: E, listener: (payload: MonitorEventPayload<E>) => void): () => void;
}

export function monitorApiFrom(api: Pick<Api, 'monitor' | 'inspect' | 'proc' | 'on'>): MonitorApi {
  return {
    state: (i) => api.monitor.state(i),
    configure: (i) => api.monitor.configure(i),
    runs: (i) => api.monitor.runs(i),
    series: (i) => api.monitor.series(i),
    procs: (i) => api.monitor.procs(i),
    view: (i) => api.inspect.view(i),
    memory: (i) => api.inspect.memory(i),
    signal: async (i) => {
      await api.proc.signal(i);
    },
    on: (event, listener) => api.on(event, listener),
  };
}
