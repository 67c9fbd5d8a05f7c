/**
 * Guest images: build (or reuse from the cache) the kernel, initramfs and SD card a board
 * boots with. Plain Node — no Electron — so the CLI, the tests and the app share it.
 *
 * Cache layout (cacheDir defaults to $BENCHTOP_CACHE or ~/.cache/benchtop):
 *   <cacheDir>/images/<board>-<key>/{uImage,vmlinux,System.map,initramfs.cpio,sd.img,kernel.config,build.log,manifest.json}
 *   <cacheDir>/images/<board>-<key>.lock        while a build of that key runs
 *   <cacheDir>/images/.tmp-<board>-<key>-XXXXXX  the build in progress (renamed into place at the end)
 *   <cacheDir>/images/<board>-<key>.failed.log   the log of the last failed build of that key
 *   <cacheDir>/work/debs/<debArch>/*.deb         downloaded packages, shared by every key
 *   <cacheDir>/work/kernel/<board>/{src,stamp.json}  the patched kernel tree, reused while the
 *                                                source version and patches stay the same
 *
 * An image directory exists only once complete (manifest.json last, then one rename), so a
 * killed build never leaves something that looks done. sd.img is a template: whoever boots
 * it with write access should copy it first.
 */
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImageInfo } from '../../../src-shared/contract';
import { BenchtopError } from '../../../src-shared/errors';
import type { BoardProfile } from '../boards/profiles';
import { buildImage, FILES, type ImageStep, type Manifest } from './build';
import { imageKey } from './key';
import { withLock } from './lock';

export { imageKey, BUILDER_VERSION, imageInputFiles, type ImageKeyOptions } from './key';
export { checkTools, requiredTools, type HostTool } from './tools';
export type { ImageStep, Manifest } from './build';

export interface ImageProgress {
  board: string;
  /** check-tools, download-debs, extract-kernel, patch, configure, verify-config, compile, initramfs, sd-image, done */
  step: string;
  message: string;
  /** True only on the last event, step 'done': the image is ready. */
  done: boolean;
}

export interface EnsureImageOptions {
  board: BoardProfile;
  repoRoot: string;
  /** Default: $BENCHTOP_CACHE, else ~/.cache/benchtop. */
  cacheDir?: string;
  onProgress?: (p: ImageProgress) => void;
  signal?: AbortSignal;
  /** Parallel make jobs; default: the number of CPUs. */
  jobs?: number;
}

export function defaultCacheDir(): string {
  return process.env.BENCHTOP_CACHE || path.join(os.homedir(), '.cache', 'benchtop');
}

/** Where the image of `board` with `key` lives (complete or not). */
export function imageDir(cacheDir: string, boardId: string, key: string): string {
  return path.join(cacheDir, 'images', `${boardId}-${key}`);
}

function infoFor(board: string, dir: string): ImageInfo {
  return {
    board,
    kernel: path.join(dir, FILES.kernel),
    initrd: path.join(dir, FILES.initrd),
    sd: path.join(dir, FILES.sd),
    vmlinux: path.join(dir, FILES.vmlinux),
  };
}

/** The image in `dir` if it is complete (manifest present and every file there). */
export function readCompleteImage(board: string, dir: string): ImageInfo | undefined {
  try {
    const m = JSON.parse(fsSync.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    if (m.board !== board) return undefined;
    const info = infoFor(board, dir);
    for (const f of [info.kernel, info.initrd, info.sd, info.vmlinux!]) if (!fsSync.statSync(f).isFile()) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

/** Builds in flight in this process, by image directory: concurrent callers share one. */
const inFlight = new Map<string, Promise<ImageInfo>>();

export async function ensureImage(opts: EnsureImageOptions): Promise<ImageInfo> {
  const { board } = opts;
  const cacheDir = path.resolve(opts.cacheDir ?? defaultCacheDir());
  const key = imageKey(board, opts.repoRoot);
  const dir = imageDir(cacheDir, board.id, key);
  const emit = (step: ImageStep, message: string, done = false) => opts.onProgress?.({ board: board.id, step, message, done });

  const ready = readCompleteImage(board.id, dir);
  if (ready) {
    emit('done', `cached image ${path.basename(dir)}`, true);
    return ready;
  }
  let p = inFlight.get(dir);
  if (!p) {
    p = buildLocked(opts, cacheDir, key, dir).finally(() => inFlight.delete(dir));
    inFlight.set(dir, p);
  } else {
    emit('check-tools', 'another caller is building this image; waiting');
  }
  const info = await p;
  emit('done', `image ready: ${dir}`, true);
  return info;
}

async function buildLocked(opts: EnsureImageOptions, cacheDir: string, key: string, dir: string): Promise<ImageInfo> {
  const { board } = opts;
  const imagesDir = path.dirname(dir);
  await fs.mkdir(imagesDir, { recursive: true });
  const emit = (step: ImageStep, message: string) => opts.onProgress?.({ board: board.id, step, message, done: false });

  return withLock(
    `${dir}.lock`,
    async () => {
      // Whoever held the lock may have finished it meanwhile.
      const ready = readCompleteImage(board.id, dir);
      if (ready) return ready;

      // Leftovers of killed builds of this key (we hold the lock, so nobody is using them).
      const prefix = `.tmp-${path.basename(dir)}-`;
      for (const n of await fs.readdir(imagesDir)) {
        if (n.startsWith(prefix)) await fs.rm(path.join(imagesDir, n), { recursive: true, force: true });
      }
      const tmp = await fs.mkdtemp(path.join(imagesDir, prefix));
      await fs.chmod(tmp, 0o755);
      const logPath = path.join(tmp, 'build.log');
      const log = fsSync.createWriteStream(logPath);
      const logLine = (line: string) => log.write(`${line}\n`);
      const closeLog = () => new Promise<void>((resolve) => log.end(resolve));
      try {
        await buildImage({
          board,
          repoRoot: opts.repoRoot,
          key,
          workDir: path.join(cacheDir, 'work'),
          outDir: tmp,
          jobs: opts.jobs ?? (os.availableParallelism?.() ?? os.cpus().length),
          signal: opts.signal,
          log: logLine,
          progress: (step, message) => {
            logLine(`== ${step}: ${message}`);
            emit(step, message);
          },
        });
        await closeLog();
        await fs.rm(dir, { recursive: true, force: true }); // an incomplete dir (no manifest) from elsewhere
        await fs.rename(tmp, dir);
      } catch (err) {
        logLine(`== failed: ${(err as Error).message}`);
        await closeLog();
        const failedLog = `${dir}.failed.log`;
        await fs.rename(logPath, failedLog).catch(() => undefined);
        await fs.rm(tmp, { recursive: true, force: true });
        if (err instanceof BenchtopError) {
          throw new BenchtopError(err.code, `${err.message}${err.code === 'missing-tool' ? '' : `\n(build log: ${failedLog})`}`);
        }
        throw err;
      }
      const info = readCompleteImage(board.id, dir);
      if (!info) throw new BenchtopError('internal', `image build finished but ${dir} is incomplete`);
      return info;
    },
    {
      signal: opts.signal,
      onWait: (owner) => emit('check-tools', `waiting for the build of this image by pid ${owner?.pid ?? '?'}`),
    },
  );
}
