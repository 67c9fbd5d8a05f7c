/**
 * Preload: exposes `window.benchtop` (invoke + subscribe) and nothing else. Method and event
 * names are checked against the contract here, payloads are validated in the main process.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isEventName, isMethodName } from '../src-shared/contract';

const IPC_INVOKE = 'benchtop:invoke';
const IPC_EVENT = 'benchtop:event';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(IPC_EVENT, (_e: IpcRendererEvent, name: string, payload: unknown) => {
  for (const l of listeners.get(name) ?? []) l(payload);
});

contextBridge.exposeInMainWorld('benchtop', {
  async invoke(method: string, input: unknown): Promise<unknown> {
    if (!isMethodName(method)) throw new Error(`unknown method '${method}'`);
    const r = (await ipcRenderer.invoke(IPC_INVOKE, method, input)) as { ok: boolean; output?: unknown; error?: { code: string; message: string } };
    if (r.ok) return r.output;
    const err = new Error(r.error?.message ?? 'unknown error');
    (err as Error & { code?: string }).code = r.error?.code;
    throw err;
  },
  subscribe(event: string, listener: Listener): () => void {
    if (!isEventName(event)) throw new Error(`unknown event '${event}'`);
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  },
});
