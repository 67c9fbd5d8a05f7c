/**
 * Electron main process: a thin shell around the core. It creates the window and wires the
 * contract to ipcMain; everything else is the same core the WebSocket server and CLI use.
 */
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isEventName } from '../../src-shared/contract';
import { toWireError } from '../../src-shared/errors';
import { createServiceImpl, dispatch } from '../core/api';
import { createCore } from '../core/core';
import { CSP } from '../server/ws-server';
import { IPC_EVENT, IPC_INVOKE } from './ipc-channels';

const here = path.dirname(fileURLToPath(import.meta.url));

async function createWindow(): Promise<void> {
  const core = createCore({ replayWorkerEntry: new URL('./replay-injector.js', import.meta.url) });
  const impl = createServiceImpl(core, 'electron');
  core.sessions.ensureDefaultSession();

  // One invoke channel for the whole contract: the dispatcher validates method and payload.
  ipcMain.handle(IPC_INVOKE, async (event, method: unknown, input: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) return { ok: false, error: { code: 'bad-request', message: 'untrusted sender' } };
    try {
      return { ok: true, output: await dispatch(impl, String(method), input) };
    } catch (err) {
      return { ok: false, error: toWireError(err) };
    }
  });

  session.defaultSession.webRequest.onHeadersReceived((details, cb) =>
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }),
  );
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));

  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Benchtop',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());

  const unsubscribe = core.bus.onAny((name, payload) => {
    if (isEventName(name) && !win.isDestroyed()) win.webContents.send(IPC_EVENT, name, payload);
  });
  win.on('closed', () => unsubscribe());
  app.on('will-quit', (e) => {
    e.preventDefault();
    void core.close().finally(() => app.exit(0));
  });

  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else await win.loadFile(path.join(here, '../renderer/index.html'));
}

function isTrustedSender(url: string | undefined): boolean {
  if (!url) return false;
  if (url.startsWith('file://')) return true;
  const dev = process.env.ELECTRON_RENDERER_URL;
  return !!dev && url.startsWith(dev);
}

app.whenReady().then(createWindow, (err: unknown) => {
  console.error(err);
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());
