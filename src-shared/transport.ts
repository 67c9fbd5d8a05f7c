/**
 * Transport-neutral client side of the contract: the renderer (or a test) gets a typed proxy,
 * `api.sessions.start({ id })`, over whichever front door it has (Electron preload or WebSocket).
 */
import {
  events,
  isMethodName,
  methods,
  type EventName,
  type EventPayload,
  type MethodInput,
  type MethodName,
  type MethodOutput,
} from './contract';
import { BenchtopError, type WireError } from './errors';

export interface Transport {
  invoke(method: string, input: unknown): Promise<unknown>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

/** The shape a front door exposes: `window.benchtop` in Electron, the WS client in a browser. */
export type RawBridge = Transport;

type Split<S extends string> = S extends `${infer NS}.${infer Verb}` ? [NS, Verb] : never;
type Namespaces = Split<MethodName>[0];
type VerbsOf<NS extends string> = {
  [M in MethodName as Split<M>[0] extends NS ? Split<M>[1] : never]: (input?: MethodInput<M>) => Promise<MethodOutput<M>>;
};
export type Api = { [NS in Namespaces]: VerbsOf<NS> } & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

export function createApi(transport: Transport): Api {
  const api: Record<string, unknown> = {};
  for (const name of Object.keys(methods) as MethodName[]) {
    const [ns, verb] = name.split('.') as [string, string];
    const group = (api[ns] ??= {}) as Record<string, unknown>;
    group[verb] = async (input: unknown = {}) => {
      const out = await transport.invoke(name, input);
      return methods[name].output.parse(out);
    };
  }
  api.on = (event: EventName, listener: (p: unknown) => void) =>
    transport.subscribe(event, (payload) => {
      const parsed = events[event].safeParse(payload);
      if (parsed.success) listener(parsed.data);
    });
  return api as Api;
}

/** Messages of the WebSocket front door (documented in docs/websocket-protocol.md). */
export type ClientMessage = { t: 'call'; id: number; method: string; input: unknown };
export type ServerMessage =
  | { t: 'result'; id: number; ok: true; output: unknown }
  | { t: 'result'; id: number; ok: false; error: WireError }
  | { t: 'event'; event: string; payload: unknown }
  | { t: 'error'; error: WireError };

export function wireErrorToError(e: WireError): BenchtopError {
  return new BenchtopError(e.code, e.message);
}

export { isMethodName };
