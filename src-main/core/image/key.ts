/**
 * The cache key of a guest image: a hash of every input that changes what is built — the
 * board's files under resources/guest/<board>/ (and the recipe's fragment and patches if
 * they live elsewhere), the target agent's C sources (resources/guest/agent/*.[ch]), the
 * recipe itself, the kernel source package version, and the builder's own version.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BoardProfile } from '../boards/profiles';
import { agentInputFiles } from './agent';

/** Bump when the builder changes what it produces from the same inputs. */
export const BUILDER_VERSION = 2; // 2: uImage kernel, uncompressed initramfs

export const DEFAULT_KERNEL_SOURCE_PACKAGE = 'linux-source-6.1';

export function kernelSourcePackage(board: BoardProfile): string {
  return board.image.kernelSourcePackage ?? DEFAULT_KERNEL_SOURCE_PACKAGE;
}

/** Installed version of a Debian package, or undefined when it is not installed. */
export function debPackageVersion(pkg: string): string | undefined {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.trim()) return undefined;
  return r.stdout.trim();
}

/** JSON with object keys sorted, so the key does not depend on property order. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined && typeof o[k] !== 'function')
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function walk(dir: string, out: string[]): void {
  let ents: fs.Dirent[];
  try {
    ents = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of ents) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() || e.isSymbolicLink()) out.push(p);
  }
}

/** The board's guest directory: resources/guest/<board id>/. */
export function boardGuestDir(board: BoardProfile, repoRoot: string): string {
  return path.join(repoRoot, 'resources', 'guest', board.id);
}

/** Every input file of the image, absolute, sorted. */
export function imageInputFiles(board: BoardProfile, repoRoot: string): string[] {
  const files: string[] = [];
  walk(boardGuestDir(board, repoRoot), files);
  files.push(path.join(repoRoot, board.image.configFragment));
  walk(path.join(repoRoot, board.image.patchesDir), files);
  // The target agent compiled into the initramfs (its sources, not its tests).
  files.push(...agentInputFiles(repoRoot));
  return [...new Set(files.map((f) => path.resolve(f)))].sort();
}

export interface ImageKeyOptions {
  /** Version of the kernel source package; default: asked from dpkg-query. */
  kernelSourceVersion?: string;
}

export function imageKey(board: BoardProfile, repoRoot: string, opts: ImageKeyOptions = {}): string {
  const h = createHash('sha256');
  const field = (name: string, value: string) => h.update(`${name}\0${value}\0`);
  field('builder', String(BUILDER_VERSION));
  field('board', board.id);
  field('recipe', stableStringify(board.image));
  const pkg = kernelSourcePackage(board);
  field('kernel-source', `${pkg}=${opts.kernelSourceVersion ?? debPackageVersion(pkg) ?? 'not-installed'}`);
  for (const file of imageInputFiles(board, repoRoot)) {
    const rel = path.relative(repoRoot, file);
    let content: Buffer;
    let mode = '';
    try {
      const st = fs.lstatSync(file);
      if (st.isSymbolicLink()) {
        content = Buffer.from(`symlink:${fs.readlinkSync(file)}`);
      } else {
        content = fs.readFileSync(file);
        mode = st.mode & 0o111 ? 'x' : '-';
      }
    } catch {
      content = Buffer.from('missing');
    }
    field(`file:${rel}`, `${mode}${createHash('sha256').update(content).digest('hex')}`);
  }
  return h.digest('hex').slice(0, 16);
}
