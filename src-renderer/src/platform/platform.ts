/**
 * Picks the front door: the Electron preload bridge (`window.benchtop`) when present, otherwise
 * the WebSocket server that served this page.
 */
import { createApi, type Api, type RawBridge } from '../../../src-shared/transport';
import type { WireError } from '../../../src-shared/errors';
import { useConnection, type FrontDoor } from './connectionStore';
import { resolveToken, urlWithoutToken, webSocketUrl } from './token';
import { WsTransport } from './wsTransport';

declare global {
  interface Window {
    benchtop?: RawBridge;
  }
}

export interface Platform {
  frontDoor: FrontDoor;
  api: Api;
  /** Called on every (re)connection; at once if already connected. */
  onConnected(listener: (info: { reconnect: boolean }) => void): () => void;
  onDisconnected(listener: () => void): () => void;
  onServerError(listener: (e: WireError) => void): () => void;
  reconnectNow(): void;
  /** Opens the connection; call after the listeners are attached. */
  start(): void;
}

export function createPlatform(win: Window): Platform {
  return win.benchtop ? electronPlatform(win.benchtop) : webSocketPlatform(win);
}

function electronPlatform(bridge: RawBridge): Platform {
  useConnection.getState().set({ frontDoor: 'electron', phase: 'connected' });
  return {
    frontDoor: 'electron',
    api: createApi(bridge),
    onConnected(listener) {
      listener({ reconnect: false });
      return () => {};
    },
    onDisconnected: () => () => {},
    onServerError: () => () => {},
    reconnectNow() {},
    start() {},
  };
}

function webSocketPlatform(win: Window): Platform {
  let storage: Storage | null = null;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = null;
  }
  const token = resolveToken(win.location.search, storage);
  const clean = urlWithoutToken(win.location.href);
  if (clean) win.history.replaceState(win.history.state, '', clean);

  const transport = new WsTransport({ url: webSocketUrl(win.location, token) });
  const conn = useConnection.getState();
  conn.set({ frontDoor: 'websocket', phase: 'connecting' });
  transport.onStatus((s) => {
    const set = useConnection.getState().set;
    switch (s.kind) {
      case 'connecting':
        set({ phase: 'connecting', attempt: s.attempt });
        break;
      case 'open':
        set({ phase: 'connected', reason: null, retryAt: null, attempt: 0 });
        break;
      case 'disconnected':
        set({ phase: 'disconnected', reason: token ? s.reason : `${s.reason}; no ?token= in the page URL`, retryAt: s.retryAt, attempt: s.attempt });
        break;
      case 'closed':
        set({ phase: 'disconnected', reason: 'closed', retryAt: null });
        break;
    }
  });
  // Try at once when the machine comes back online instead of waiting out the backoff.
  win.addEventListener('online', () => transport.reconnectNow());

  const platform: Platform = {
    frontDoor: 'websocket',
    api: createApi(transport),
    onConnected(listener) {
      const s = transport.getStatus();
      if (s.kind === 'open') listener({ reconnect: false });
      return transport.onStatus((st) => {
        if (st.kind === 'open') listener({ reconnect: st.reconnect });
      });
    },
    onDisconnected(listener) {
      return transport.onStatus((st) => {
        if (st.kind === 'disconnected') listener();
      });
    },
    onServerError: (listener) => transport.onServerError(listener),
    reconnectNow: () => transport.reconnectNow(),
    start: () => transport.start(),
  };
  return platform;
}
