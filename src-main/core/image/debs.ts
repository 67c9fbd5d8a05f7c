/**
 * The guest userland from Debian packages of the guest architecture (armel): download with
 * `apt-get download` (cached by file name and checked against the archive's SHA256),
 * unpack with `dpkg-deb -x`, and keep only what the guest runs: the programs in the bin
 * and sbin directories and the shared libraries they need (DT_NEEDED closure + the
 * program interpreter), found with the cross readelf.
 */
import { createHash } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BenchtopError } from '../../../src-shared/errors';
import type { CpioEntry } from './cpio';
import { run } from './run';

/** One line of a packages list: `name[:arch] [path…]`. */
export interface PackageSpec {
  name: string;
  /** Debian architecture; default the board's (armel). `all` for architecture-independent packages. */
  arch?: string;
  /** Extra files or directories of the package to keep (besides programs and their libraries). */
  paths: string[];
}

/**
 * Parse a packages list: one package a line, `name[:arch]` then optional paths to keep
 * (e.g. terminfo entries); `#` comments and blank lines are ignored.
 */
export function parsePackageList(text: string): PackageSpec[] {
  const out: PackageSpec[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [first, ...rest] = line.split(/\s+/);
    const m = /^([a-z0-9][a-z0-9+.-]+)(?::([a-z0-9]+))?$/.exec(first!);
    if (!m) throw new Error(`bad package name '${first}' in package list`);
    const paths = rest.map((p) => {
      const rel = p.replace(/^\/+/, '').replace(/\/+$/, '');
      if (!/^[A-Za-z0-9_.+][A-Za-z0-9_.+/-]*$/.test(rel) || rel.split('/').some((c) => c === '..' || c === '')) {
        throw new Error(`bad path '${p}' for ${m[1]} in package list`);
      }
      return rel;
    });
    if (out.some((o) => o.name === m[1])) throw new Error(`package ${m[1]} is listed twice`);
    out.push({ name: m[1]!, arch: m[2], paths });
  }
  return out;
}

export interface DebUri {
  name: string;
  version: string;
  file: string;
  size: number;
  sha256: string;
}

/** Parse `apt-get download --print-uris` output: 'URL' FILE SIZE SHA256:HEX per line. */
export function parsePrintUris(text: string): DebUri[] {
  const out: DebUri[] = [];
  for (const line of text.split('\n')) {
    const m = /^'([^']+)'\s+(\S+)\s+(\d+)\s+SHA256:([0-9a-f]{64})\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[2]!;
    const [name, version] = file.split('_');
    out.push({ name: name!, version: decodeURIComponent(version ?? ''), file, size: Number(m[3]), sha256: m[4]! });
  }
  return out;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fsSync.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface DownloadedDeb extends DebUri {
  path: string;
  cached: boolean;
}

/**
 * Make sure the candidate version of every package is in `dir` (reusing earlier downloads),
 * and return them. Needs `dpkg --add-architecture <arch> && apt-get update` done once.
 */
export async function downloadDebs(
  specs: PackageSpec[],
  debArch: string,
  dir: string,
  opts: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<DownloadedDeb[]> {
  await fs.mkdir(dir, { recursive: true });
  const packages = specs.map((s) => s.name);
  const archOf = (name: string) => specs.find((s) => s.name === name)?.arch ?? debArch;
  let uris: DebUri[];
  try {
    const r = await run('apt-get', ['download', '--print-uris', ...specs.map((s) => `${s.name}:${s.arch ?? debArch}`)], {
      signal: opts.signal,
    });
    uris = parsePrintUris(r.stdout);
  } catch (err) {
    if (err instanceof BenchtopError && err.code === 'missing-tool') throw err;
    throw new BenchtopError(
      'internal',
      `apt-get cannot find the ${debArch} packages (${packages.join(' ')}). Run once as root: ` +
        `dpkg --add-architecture ${debArch} && apt-get update\n${(err as Error).message}`,
    );
  }
  const missing = packages.filter((p) => !uris.some((u) => u.name === p));
  if (missing.length) throw new BenchtopError('internal', `apt-get gave no download for: ${missing.join(' ')}`);

  const result: DownloadedDeb[] = [];
  const toFetch: DebUri[] = [];
  for (const u of uris) {
    const p = path.join(dir, u.file);
    const st = await fs.stat(p).catch(() => undefined);
    if (st && st.size === u.size && (await sha256File(p)) === u.sha256) result.push({ ...u, path: p, cached: true });
    else toFetch.push(u);
  }
  if (toFetch.length) {
    const partial = await fs.mkdtemp(path.join(dir, '.partial-'));
    try {
      opts.log?.(`apt-get download ${toFetch.map((u) => `${u.name}=${u.version}`).join(' ')}`);
      await run('apt-get', ['download', ...toFetch.map((u) => `${u.name}:${archOf(u.name)}=${u.version}`)], {
        cwd: partial,
        signal: opts.signal,
        onLine: (l) => opts.log?.(l),
      });
      for (const u of toFetch) {
        const got = path.join(partial, u.file);
        const sum = await sha256File(got).catch(() => '');
        if (sum !== u.sha256) throw new BenchtopError('internal', `${u.file}: SHA256 mismatch after download`);
        await fs.rename(got, path.join(dir, u.file));
        result.push({ ...u, path: path.join(dir, u.file), cached: false });
      }
    } finally {
      await fs.rm(partial, { recursive: true, force: true });
    }
  }
  return packages.map((p) => result.find((r) => r.name === p)!);
}

export async function unpackDebs(debs: DownloadedDeb[], root: string, signal?: AbortSignal): Promise<void> {
  await fs.mkdir(root, { recursive: true });
  for (const d of debs) await run('dpkg-deb', ['-x', d.path, root], { signal });
}

const PROGRAM_DIRS = ['bin', 'sbin', 'usr/bin', 'usr/sbin'];

async function isElf(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 0);
    return b.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    await fh.close();
  }
}

/** DT_NEEDED sonames and the program interpreter of an ELF file, from `<cross>readelf`. */
export function parseReadelf(text: string): { needed: string[]; interp?: string } {
  const needed = [...text.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
  const interp = /\[Requesting program interpreter: ([^\]]+)\]/.exec(text)?.[1];
  return { needed, interp };
}

/**
 * Everything of the unpacked packages the guest needs, as initramfs entries: the programs
 * and the libraries in their DT_NEEDED closure (with their symlinks), at their Debian paths.
 */
export async function collectGuestFiles(
  root: string,
  opts: { readelf: string; libDirs: string[]; extraPaths?: string[]; signal?: AbortSignal },
): Promise<{ entries: CpioEntry[]; programs: string[]; libraries: string[] }> {
  const chosen = new Map<string, CpioEntry>(); // guest path (no leading slash) → entry
  const programs: string[] = [];
  const libraries: string[] = [];
  const elfQueue: string[] = [];

  const addPath = async (rel: string): Promise<void> => {
    // Adds rel (following symlinks inside the root) and queues ELF files.
    for (let hops = 0; hops < 16; hops++) {
      if (chosen.has(rel)) return;
      const abs = path.join(root, rel);
      const st = await fs.lstat(abs);
      if (st.isSymbolicLink()) {
        const target = await fs.readlink(abs);
        chosen.set(rel, { path: rel, type: 'symlink', target });
        rel = path.posix.normalize(target.startsWith('/') ? target.slice(1) : path.posix.join(path.posix.dirname(rel), target));
        continue;
      }
      if (!st.isFile()) return;
      const data = await fs.readFile(abs);
      chosen.set(rel, { path: rel, type: 'file', mode: st.mode & 0o777, data });
      if (await isElf(abs)) elfQueue.push(rel);
      return;
    }
    throw new Error(`symlink loop at ${rel}`);
  };

  for (const dir of PROGRAM_DIRS) {
    const names = await fs.readdir(path.join(root, dir)).catch(() => [] as string[]);
    for (const n of names.sort()) {
      const rel = `${dir}/${n}`;
      programs.push(`/${rel}`);
      await addPath(rel);
    }
  }

  for (const extra of opts.extraPaths ?? []) {
    const st = await fs.lstat(path.join(root, extra)).catch(() => undefined);
    if (!st) throw new BenchtopError('missing-file', `packages list asks for /${extra}, which no listed package contains`);
    if (st.isDirectory()) {
      const stack = [extra];
      while (stack.length) {
        const d = stack.pop()!;
        for (const e of await fs.readdir(path.join(root, d), { withFileTypes: true })) {
          const rel = `${d}/${e.name}`;
          if (e.isDirectory()) stack.push(rel);
          else await addPath(rel);
        }
      }
    } else {
      await addPath(extra);
    }
  }

  const resolved = new Set<string>();
  const unresolved: string[] = [];
  while (elfQueue.length) {
    const rel = elfQueue.shift()!;
    const r = await run(opts.readelf, ['-d', '-l', '-W', path.join(root, rel)], { signal: opts.signal, tailLines: 5 });
    const { needed, interp } = parseReadelf(r.stdout);
    if (interp && !resolved.has(interp)) {
      resolved.add(interp);
      const irel = interp.replace(/^\/+/, '');
      if (!(await fs.lstat(path.join(root, irel)).catch(() => undefined))) unresolved.push(`${interp} (interpreter of /${rel})`);
      else {
        libraries.push(interp);
        await addPath(irel);
      }
    }
    for (const so of needed) {
      if (resolved.has(so)) continue;
      resolved.add(so);
      let found: string | undefined;
      for (const d of opts.libDirs) {
        const cand = path.posix.join(d, so);
        if (await fs.lstat(path.join(root, cand)).catch(() => undefined)) {
          found = cand;
          break;
        }
      }
      if (!found) {
        unresolved.push(`${so} (needed by /${rel})`);
        continue;
      }
      libraries.push(`/${found}`);
      await addPath(found);
    }
  }
  if (unresolved.length) {
    throw new BenchtopError(
      'missing-file',
      `guest programs need libraries no listed package provides: ${unresolved.join(', ')}. Add the package to the board's packages list.`,
    );
  }
  return { entries: [...chosen.values()], programs, libraries };
}
