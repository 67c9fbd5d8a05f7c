/** `benchtop serve`: the core plus the WebSocket front door plus the built renderer. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BenchtopError } from '../../src-shared/errors';
import { createServiceImpl } from '../core/api';
import { createCore, type Core, type CoreOptions } from '../core/core';
import { findRepoRoot } from '../core/util/repo-root';
import { startWsServer, type RunningServer } from './ws-server';

export function webUiDir(): string {
  return path.join(findRepoRoot(), 'out', 'renderer');
}

/** Build the renderer with Vite when out/renderer is missing or older than its sources. */
export async function ensureWebUiBuilt(log: (line: string) => void = () => undefined): Promise<string> {
  const root = findRepoRoot();
  const dir = webUiDir();
  const index = path.join(dir, 'index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const newest = newestMtime([path.join(root, 'src-renderer'), path.join(root, 'src-shared'), path.join(root, 'vite.web.config.ts')]);
  if (built >= newest) return dir;
  log('building the web UI (vite)…');
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!fs.existsSync(vite)) throw new BenchtopError('missing-tool', 'vite is not installed: run npm install (npm start does it)');
  await new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, [vite, 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new BenchtopError('internal', `vite build failed (exit ${code})`))));
  });
  return dir;
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

export interface Serving extends RunningServer {
  core: Core;
}

export async function serve(o: { port?: number; workspace?: string; token?: string; staticDir?: string | null } & CoreOptions): Promise<Serving> {
  const core = createCore(o);
  const server = await startWsServer({
    impl: createServiceImpl(core, 'websocket'),
    bus: core.bus,
    staticDir: o.staticDir === undefined ? webUiDir() : o.staticDir,
    port: o.port,
    token: o.token,
  });
  // QEMU children must not outlive us, however we end.
  const kill = () => core.sessions.killAll();
  process.once('exit', kill);
  return {
    ...server,
    core,
    async close() {
      process.off('exit', kill);
      await server.close();
      await core.close();
    },
  };
}
