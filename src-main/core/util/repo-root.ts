import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Benchtop checkout (where resources/ lives), found by walking up from this module. */
export function findRepoRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'resources'))) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'benchtop') return dir;
      } catch {
        /* keep walking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the Benchtop checkout above ${from}`);
    dir = up;
  }
}
