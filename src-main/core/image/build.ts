/**
 * Building one guest image into a fresh directory: kernel (Debian's linux-source + the
 * board's patches + config fragment), initramfs (armel packages + /init), SD card.
 * index.ts decides whether to build and moves the result into the cache atomically.
 */
import { createHash } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BenchtopError } from '../../../src-shared/errors';
import type { BoardProfile } from '../boards/profiles';
import { AGENT_GUEST_PATH, buildAgentBinary } from './agent';
import { sortEntries, writeNewc, type CpioEntry } from './cpio';
import { collectGuestFiles, downloadDebs, parsePackageList, unpackDebs, type DownloadedDeb } from './debs';
import { verifyConfig } from './kconfig';
import { BUILDER_VERSION, boardGuestDir, debPackageVersion, kernelSourcePackage } from './key';
import { withLock } from './lock';
import { run } from './run';
import { makeSdImage } from './sd';
import { wrapUImage } from './uimage';
import { checkTools, requiredTools } from './tools';

export type ImageStep =
  | 'check-tools'
  | 'download-debs'
  | 'extract-kernel'
  | 'patch'
  | 'configure'
  | 'verify-config'
  | 'compile'
  | 'initramfs'
  | 'sd-image'
  | 'done';

export interface BuildContext {
  board: BoardProfile;
  repoRoot: string;
  key: string;
  /** <cacheDir>/work: shared between keys (downloaded .debs, the kernel tree). */
  workDir: string;
  /** Fresh directory the image files are written to. */
  outDir: string;
  jobs: number;
  signal?: AbortSignal;
  progress: (step: ImageStep, message: string) => void;
  /** Every line of every command's output (for build.log). */
  log: (line: string) => void;
}

export interface Manifest {
  board: string;
  key: string;
  builderVersion: number;
  createdAt: string;
  buildSeconds: number;
  kernel: { sourcePackage: string; sourceVersion: string; release: string; target: string; patches: string[] };
  packages: { name: string; version: string; file: string; sha256: string }[];
  initramfs: { programs: string[]; libraries: string[]; bytes: number; entries: number };
  /** The target agent compiled into the initramfs (/usr/sbin/benchtop-agent). */
  agent: { path: string; bytes: number; sha256: string };
  sd: { sizeMiB: number; partitionStartSector: number; fs: 'ext4' };
  files: Record<'kernel' | 'vmlinux' | 'systemMap' | 'initrd' | 'sd' | 'config', string>;
}

export const FILES = {
  /** The uncompressed kernel in a U-Boot legacy header (./uimage.ts). */
  kernel: 'uImage',
  vmlinux: 'vmlinux',
  systemMap: 'System.map',
  /**
   * Not compressed: the guest gunzipped 4.5 MiB into 9.5 MiB in ~0.5 s of every boot; the
   * kernel frees the archive after unpacking it either way.
   */
  initrd: 'initramfs.cpio',
  sd: 'sd.img',
  config: 'kernel.config',
} as const;

/**
 * Rough number of make output lines (CC, LD, AR…) in a full build of the mainstone
 * kernel with the fragment (counted: 1,701). Only used for the progress percentage.
 */
const FULL_BUILD_LINES = 1750;

function kernelTarball(pkg: string): string {
  return `/usr/src/${pkg}.tar.xz`;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function exists(p: string): Promise<boolean> {
  return fs
    .access(p)
    .then(() => true)
    .catch(() => false);
}

async function listPatches(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.patch'))
    .sort()
    .map((n) => path.join(dir, n));
}

/** Every file under dir (relative paths) with its lstat. */
async function walkDir(dir: string, rel = ''): Promise<{ rel: string; abs: string; st: fsSync.Stats }[]> {
  const out: { rel: string; abs: string; st: fsSync.Stats }[] = [];
  const ents = await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => [] as fsSync.Dirent[]);
  for (const e of ents) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    const abs = path.join(dir, r);
    const st = await fs.lstat(abs);
    out.push({ rel: r, abs, st });
    if (st.isDirectory()) out.push(...(await walkDir(dir, r)));
  }
  return out;
}

export async function buildImage(ctx: BuildContext): Promise<Manifest> {
  const t0 = Date.now();
  const { board, repoRoot } = ctx;
  const recipe = board.image;
  const guestDir = boardGuestDir(board, repoRoot);
  const fragmentPath = path.join(repoRoot, recipe.configFragment);
  const patchesDir = path.join(repoRoot, recipe.patchesDir);
  const initPath = path.join(guestDir, 'init');
  const packagesPath = path.join(guestDir, `${recipe.debArch}-packages.txt`);
  const srcPkg = kernelSourcePackage(board);
  const tarball = kernelTarball(srcPkg);

  // ---- check-tools ----
  ctx.progress('check-tools', 'checking host tools');
  checkTools(requiredTools(recipe));
  if (!(await exists(tarball))) {
    throw new BenchtopError('missing-file', `kernel source ${tarball} not found: install the Debian package ${srcPkg} (sudo apt-get install ${srcPkg})`);
  }
  for (const f of [fragmentPath, initPath, packagesPath]) {
    if (!(await exists(f))) throw new BenchtopError('missing-file', `guest image input ${path.relative(repoRoot, f)} is missing`);
  }
  const srcVersion = debPackageVersion(srcPkg) ?? 'unknown';
  const patches = await listPatches(patchesDir);

  // ---- download-debs ----
  const packages = parsePackageList(await fs.readFile(packagesPath, 'utf8'));
  ctx.progress('download-debs', `${recipe.debArch} packages: ${packages.map((p) => p.name).join(' ')}`);
  const debs = await downloadDebs(packages, recipe.debArch, path.join(ctx.workDir, 'debs', recipe.debArch), {
    signal: ctx.signal,
    log: ctx.log,
  });
  const fetched = debs.filter((d) => !d.cached).length;
  ctx.progress('download-debs', `${debs.length} packages ready (${fetched} downloaded, ${debs.length - fetched} cached)`);

  // ---- kernel: one tree per board under work/, guarded by its own lock ----
  const kernelRoot = path.join(ctx.workDir, 'kernel');
  await fs.mkdir(kernelRoot, { recursive: true });
  const kernelRelease = await withLock(
    path.join(kernelRoot, `${board.id}.lock`),
    () => buildKernel(ctx, { tarball, srcPkg, srcVersion, patches, fragmentPath, tree: path.join(kernelRoot, board.id) }),
    { signal: ctx.signal, onWait: () => ctx.progress('extract-kernel', 'waiting for another build using the kernel tree') },
  );

  // ---- initramfs (with the target agent, resources/guest/agent) ----
  ctx.progress('initramfs', `compiling benchtop-agent (${recipe.crossCompile}gcc -static -Os)`);
  const agentDir = path.join(ctx.outDir, '.agent-build');
  const agent = await buildAgentBinary({
    repoRoot,
    crossCompile: recipe.crossCompile,
    outFile: path.join(agentDir, 'benchtop-agent'),
    signal: ctx.signal,
    log: ctx.log,
  });
  ctx.progress('initramfs', 'unpacking packages and collecting programs and libraries');
  const agentFile: CpioEntry = { path: AGENT_GUEST_PATH, type: 'file', mode: 0o755, data: await fs.readFile(agent.file) };
  const init = await buildInitramfs(ctx, debs, initPath, guestDir, packages.flatMap((p) => p.paths), [agentFile]);
  await fs.rm(agentDir, { recursive: true, force: true });

  // ---- sd-image ----
  ctx.progress('sd-image', `${recipe.sdSizeMiB} MiB card, ext4 on partition 1`);
  const sdStage = path.join(ctx.outDir, '.sd-stage');
  await fs.rm(sdStage, { recursive: true, force: true });
  await fs.mkdir(sdStage, { recursive: true });
  const sdTemplate = path.join(guestDir, 'sd');
  if (await exists(sdTemplate)) await fs.cp(sdTemplate, sdStage, { recursive: true });
  await fs.mkdir(path.join(sdStage, 'data'), { recursive: true });
  const k = ctx.key.padEnd(32, '0');
  const uuid = `${k.slice(0, 8)}-${k.slice(8, 12)}-4${k.slice(13, 16)}-8${k.slice(17, 20)}-${k.slice(20, 32)}`;
  await makeSdImage({ file: path.join(ctx.outDir, FILES.sd), sizeMiB: recipe.sdSizeMiB, contentDir: sdStage, uuid, signal: ctx.signal });
  await fs.rm(sdStage, { recursive: true, force: true });

  const manifest: Manifest = {
    board: board.id,
    key: ctx.key,
    builderVersion: BUILDER_VERSION,
    createdAt: new Date().toISOString(),
    buildSeconds: Math.round((Date.now() - t0) / 100) / 10,
    kernel: {
      sourcePackage: srcPkg,
      sourceVersion: srcVersion,
      release: kernelRelease,
      target: recipe.kernelTarget,
      patches: patches.map((p) => path.basename(p)),
    },
    packages: debs.map((d) => ({ name: d.name, version: d.version, file: d.file, sha256: d.sha256 })),
    initramfs: init,
    agent: { path: `/${AGENT_GUEST_PATH}`, bytes: agent.bytes, sha256: agent.sha256 },
    sd: { sizeMiB: recipe.sdSizeMiB, partitionStartSector: 2048, fs: 'ext4' },
    files: { ...FILES },
  };
  await fs.writeFile(path.join(ctx.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

interface KernelInputs {
  tarball: string;
  srcPkg: string;
  srcVersion: string;
  patches: string[];
  fragmentPath: string;
  /** work/kernel/<board>: the tree is <tree>/src, its stamp <tree>/stamp.json. */
  tree: string;
}

async function buildKernel(ctx: BuildContext, k: KernelInputs): Promise<string> {
  const recipe = ctx.board.image;
  const src = path.join(k.tree, 'src');
  const stampPath = path.join(k.tree, 'stamp.json');
  const stamp = JSON.stringify({
    source: `${k.srcPkg}=${k.srcVersion}`,
    patches: await Promise.all(k.patches.map(async (p) => `${path.basename(p)}:${sha256(await fs.readFile(p))}`)),
  });
  const old = await fs.readFile(stampPath, 'utf8').catch(() => '');

  // ---- extract-kernel / patch ----
  if (old === stamp && (await exists(path.join(src, 'Makefile')))) {
    ctx.progress('extract-kernel', `reusing the extracted ${k.srcPkg} tree (${src})`);
    ctx.progress('patch', `${k.patches.length} patches already applied`);
  } else {
    // Patches or source changed (or a previous extraction was cut short): start clean.
    await fs.rm(stampPath, { force: true });
    ctx.progress('extract-kernel', `extracting ${k.tarball}`);
    await fs.rm(src, { recursive: true, force: true });
    await fs.mkdir(src, { recursive: true });
    await run('tar', ['-xf', k.tarball, '--strip-components=1', '-C', src], { signal: ctx.signal });
    for (const p of k.patches) {
      ctx.progress('patch', `applying ${path.basename(p)}`);
      await run('patch', ['-p1', '--forward', '--batch', '-i', p], { cwd: src, signal: ctx.signal, onLine: ctx.log });
    }
    if (!k.patches.length) ctx.progress('patch', 'no patches');
    await fs.writeFile(stampPath, stamp);
  }

  const env = {
    ...process.env,
    ARCH: recipe.arch,
    CROSS_COMPILE: recipe.crossCompile,
    KBUILD_BUILD_USER: 'benchtop',
    KBUILD_BUILD_HOST: 'benchtop',
    LC_ALL: 'C',
  };
  const make = (args: string[], onLine?: (l: string) => void) =>
    run('make', [`ARCH=${recipe.arch}`, `CROSS_COMPILE=${recipe.crossCompile}`, ...args], {
      cwd: src,
      env,
      signal: ctx.signal,
      onLine: (l) => {
        ctx.log(l);
        onLine?.(l);
      },
      collectStdout: false,
    });

  // ---- configure ----
  ctx.progress('configure', `${recipe.defconfig} + ${path.relative(ctx.repoRoot, k.fragmentPath)}`);
  await make([recipe.defconfig]);
  await run('scripts/kconfig/merge_config.sh', ['-m', '.config', k.fragmentPath], {
    cwd: src,
    env,
    signal: ctx.signal,
    onLine: ctx.log,
  });
  await make(['olddefconfig']);

  // ---- verify-config (before compiling: a dropped option fails in seconds, not minutes) ----
  const fragment = await fs.readFile(k.fragmentPath, 'utf8');
  const checkConfig = async () => {
    const problems = verifyConfig(fragment, await fs.readFile(path.join(src, '.config'), 'utf8'));
    if (problems.length) {
      throw new BenchtopError(
        'internal',
        `the kernel .config lacks ${problems.length} option(s) the fragment ${path.relative(ctx.repoRoot, k.fragmentPath)} asks for ` +
          `(their dependencies are not met, so merge_config.sh dropped them):\n  ${problems.join('\n  ')}`,
      );
    }
  };
  await checkConfig();
  ctx.progress('verify-config', 'every option of the fragment is in the final .config');

  // ---- compile ----
  let lines = 0;
  ctx.progress('compile', `make -j${ctx.jobs} ${recipe.kernelTarget}`);
  await make([`-j${ctx.jobs}`, recipe.kernelTarget], (l) => {
    if (!/^\s+[A-Z][A-Z0-9_]*\s+\S/.test(l)) return;
    lines++;
    const pct = Math.min(99, Math.floor((lines * 100) / FULL_BUILD_LINES));
    ctx.progress('compile', `[${String(pct).padStart(2)}%] ${l.trim()}`);
  });
  await checkConfig(); // make may re-sync .config; make sure nothing moved
  const release = (await fs.readFile(path.join(src, 'include/config/kernel.release'), 'utf8')).trim();
  ctx.progress('compile', `built Linux ${release} (${lines} make steps)`);

  const image = await fs.readFile(path.join(src, recipe.kernelImagePath));
  await fs.writeFile(path.join(ctx.outDir, FILES.kernel), wrapUImage(image, { load: recipe.kernelLoadAddress, name: `Linux-${release}` }));
  await fs.copyFile(path.join(src, 'vmlinux'), path.join(ctx.outDir, FILES.vmlinux));
  await fs.copyFile(path.join(src, 'System.map'), path.join(ctx.outDir, FILES.systemMap));
  await fs.copyFile(path.join(src, '.config'), path.join(ctx.outDir, FILES.config));
  return release;
}

export async function buildInitramfs(
  ctx: BuildContext,
  debs: DownloadedDeb[],
  initPath: string,
  guestDir: string,
  extraPaths: string[] = [],
  /** Files built by the builder itself (the target agent), added after the packages. */
  extraEntries: CpioEntry[] = [],
): Promise<Manifest['initramfs']> {
  const stage = path.join(ctx.outDir, '.rootfs-stage');
  await fs.rm(stage, { recursive: true, force: true });
  try {
    await unpackDebs(debs, stage, ctx.signal);
    const triplet = 'arm-linux-gnueabi'; // Debian armel multiarch directory
    const collected = await collectGuestFiles(stage, {
      readelf: `${ctx.board.image.crossCompile}readelf`,
      libDirs: [`lib/${triplet}`, `usr/lib/${triplet}`, 'lib', 'usr/lib'],
      extraPaths,
      signal: ctx.signal,
    });
    if (!collected.entries.some((e) => e.path === 'bin/busybox')) {
      throw new BenchtopError('missing-file', 'no /bin/busybox among the unpacked packages (busybox-static missing from the list?)');
    }

    const entries: CpioEntry[] = [];
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'run', 'mnt', 'mnt/sd', 'var', 'var/log', 'lib']) {
      entries.push({ path: d, type: 'dir', mode: 0o755 });
    }
    entries.push({ path: 'tmp', type: 'dir', mode: 0o1777 });
    entries.push({ path: 'root', type: 'dir', mode: 0o700 });
    // The kernel opens /dev/console for /init before devtmpfs is mounted.
    entries.push({ path: 'dev/console', type: 'char', mode: 0o600, major: 5, minor: 1 });
    entries.push({ path: 'dev/null', type: 'char', mode: 0o666, major: 1, minor: 3 });
    entries.push(...collected.entries);
    entries.push(...extraEntries);
    // Overlay: resources/guest/<board>/rootfs/ verbatim (config files under etc/).
    for (const f of await walkDir(path.join(guestDir, 'rootfs'))) {
      if (f.st.isDirectory()) entries.push({ path: f.rel, type: 'dir', mode: 0o755 });
      else if (f.st.isSymbolicLink()) entries.push({ path: f.rel, type: 'symlink', target: await fs.readlink(f.abs) });
      else entries.push({ path: f.rel, type: 'file', mode: f.st.mode & 0o111 ? 0o755 : 0o644, data: await fs.readFile(f.abs) });
    }
    entries.push({ path: 'init', type: 'file', mode: 0o755, data: await fs.readFile(initPath) });

    // Later entries win (overlay over packages), then parents before children.
    const byPath = new Map<string, CpioEntry>();
    for (const e of entries) byPath.set(e.path.replace(/^\/+/, ''), e);
    const sorted = sortEntries([...byPath.values()]);
    const cpio = writeNewc(sorted);
    await fs.writeFile(path.join(ctx.outDir, FILES.initrd), cpio);
    ctx.progress(
      'initramfs',
      `${sorted.length} entries, ${(cpio.length / 1024 / 1024).toFixed(2)} MiB (${collected.programs.length} programs, ${collected.libraries.length} libraries)`,
    );
    return { programs: collected.programs, libraries: collected.libraries, bytes: cpio.length, entries: sorted.length };
  } finally {
    await fs.rm(stage, { recursive: true, force: true });
  }
}
