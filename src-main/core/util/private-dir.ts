/** Private runtime folders for sockets: 0700, owned by us, short paths (unix sockets max 107 bytes). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function privateRuntimeBase(): string {
  const xdg = process.env.XDG_RUNTIME_DIR;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const base = xdg && fs.existsSync(xdg) ? path.join(xdg, 'benchtop') : path.join(os.tmpdir(), `benchtop-${uid}`);
  fs.mkdirSync(base, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(base);
  // Refuse a base someone else made (or a symlink planted in /tmp): our sockets would be theirs.
  if (!st.isDirectory() || st.isSymbolicLink() || (typeof process.getuid === 'function' && st.uid !== uid)) {
    throw new Error(`runtime folder ${base} is not a directory owned by this user`);
  }
  fs.chmodSync(base, 0o700);
  return base;
}

export function makePrivateDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(privateRuntimeBase(), prefix));
  fs.chmodSync(dir, 0o700);
  return dir;
}
