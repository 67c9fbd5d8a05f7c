/** Finding host programs on PATH, with errors that name the Debian package to install. */
import fs from 'node:fs';
import path from 'node:path';
import { BenchtopError } from '../../../src-shared/errors';

export function findOnPath(program: string, envPath = process.env.PATH ?? ''): string | null {
  if (program.includes('/')) return isExecutable(program) ? program : null;
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Resolve a program or throw `missing-tool` naming the Debian package that provides it. */
export function requireTool(program: string, debianPackage: string, envPath?: string): string {
  const found = findOnPath(program, envPath);
  if (!found) {
    throw new BenchtopError(
      'missing-tool',
      `${program} is not on PATH. Install it with: apt-get install ${debianPackage} (or run the README's setup: npm start / npm test do it for you).`,
    );
  }
  return found;
}
