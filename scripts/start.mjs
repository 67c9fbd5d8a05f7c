#!/usr/bin/env node
// `npm start` (after scripts/setup.sh): open the workbench.
// With Electron's binary present (or downloadable) it opens the Electron window; otherwise it says
// why and serves the same UI on 127.0.0.1 through the WebSocket front door, printing the URL.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(path.join(root, 'package.json'));
const log = (m) => process.stderr.write(`\x1b[1;34m[start]\x1b[0m ${m}\n`);

function electronBinary() {
  try {
    const p = require('electron'); // the package's index.js returns the binary path, or throws
    return typeof p === 'string' && fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

function tryDownloadElectron() {
  if (process.env.BENCHTOP_NO_ELECTRON === '1') return null;
  log("fetching Electron's binary (skipped during set-up)…");
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron/install.js')], { cwd: root, env, stdio: 'ignore', timeout: 180_000 });
  return r.status === 0 ? electronBinary() : null;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

const electron = electronBinary() ?? tryDownloadElectron();
if (electron) {
  // Native modules must match Electron's ABI, not Node's (scripts/setup.sh switches them back for Node).
  const version = require('electron/package.json').version;
  const marker = path.join(root, 'node_modules', '.benchtop-native-abi');
  if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== `electron-${version}`) {
    log(`rebuilding native modules for Electron ${version}`);
    run('npm', ['rebuild', 'better-sqlite3', 'node-pty'], {
      env: { ...process.env, npm_config_runtime: 'electron', npm_config_target: version, npm_config_disturl: 'https://electronjs.org/headers', npm_config_nodedir: '' },
    });
    fs.writeFileSync(marker, `electron-${version}`);
  }
  run(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
  log('opening the Benchtop window');
  const child = spawn(electron, [root], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  log("Electron's binary is not installed and could not be downloaded here (no internet access).");
  log('Serving the same workbench in your browser instead:');
  const child = spawn(process.execPath, [path.join(root, 'bin/benchtop.mjs'), 'serve', '--default-session', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
