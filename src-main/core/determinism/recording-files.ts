/**
 * The files of one recorded run (deterministic mode, docs/deterministic-mode.md), in
 * `<runDir>/rr/`: QEMU's input log, copies of the kernel, initrd and SD card the run booted
 * (a replay needs the very same bytes: a rebuilt image or an SD card a later run wrote to would
 * make it diverge), and a manifest, validated on every read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ImageInfo } from '../../../src-shared/contract';
import type { RecordedRun, ReproductionVerdict } from '../../../src-shared/features/determinism';
import { BenchtopError } from '../../../src-shared/errors';

const RR_DIR = 'rr';
const MANIFEST = 'manifest.json';
const RR_MANIFEST_FORMAT = 'benchtop-rr';
const RR_MANIFEST_VERSION = 1;

const FILES = { kernel: 'kernel', initrd: 'initrd', sd: 'sd.img', log: 'replay.bin' } as const;

export const RrManifest = z.object({
  format: z.literal(RR_MANIFEST_FORMAT),
  version: z.number().int(),
  sessionId: z.string(),
  run: z.number().int().positive(),
  board: z.string(),
  /** QEMU that recorded it (another version may not read its log); null until it started. */
  qemuVersion: z.string().nullable(),
  recordedAt: z.number(),
  endedAt: z.number().nullable(),
  /** How QEMU ended; null while it runs. Only a clean exit (code 0) wrote the log's header. */
  exit: z.object({ code: z.number().int().nullable(), signal: z.string().nullable() }).nullable(),
  consoleBytes: z.number().int().nullable(),
});
export type RrManifest = z.infer<typeof RrManifest>;

export function rrDir(runDir: string): string {
  return path.join(runDir, RR_DIR);
}

/**
 * Copy what the run boots into its rr folder (reflinks where the file system has them) and write
 * the manifest of a run in progress. Returns the image QEMU must boot and the log it writes.
 */
export function prepareRecording(
  runDir: string,
  image: ImageInfo,
  meta: { sessionId: string; run: number; board: string; now?: number },
): { image: ImageInfo; logFile: string } {
  const dir = rrDir(runDir);
  fs.mkdirSync(dir, { recursive: true });
  for (const [key, file] of [
    ['kernel', image.kernel],
    ['initrd', image.initrd],
    ['sd', image.sd],
  ] as const) {
    const to = path.join(dir, FILES[key]);
    fs.copyFileSync(file, `${to}.tmp`, fs.constants.COPYFILE_FICLONE);
    fs.renameSync(`${to}.tmp`, to);
  }
  writeManifest(dir, {
    format: RR_MANIFEST_FORMAT,
    version: RR_MANIFEST_VERSION,
    sessionId: meta.sessionId,
    run: meta.run,
    board: meta.board,
    qemuVersion: null,
    recordedAt: meta.now ?? Date.now(),
    endedAt: null,
    exit: null,
    consoleBytes: null,
  });
  return { image: imageOf(dir, image), logFile: path.join(dir, FILES.log) };
}

/** Record how the run ended (QEMU's exit and the console bytes it produced). */
export function finishRecording(runDir: string, end: { exit: RrManifest['exit']; consoleBytes: number; qemuVersion: string | null; now?: number }): void {
  const dir = rrDir(runDir);
  const m = readManifest(dir);
  writeManifest(dir, { ...m, endedAt: end.now ?? Date.now(), exit: end.exit, consoleBytes: end.consoleBytes, qemuVersion: end.qemuVersion });
}

/**
 * A recorded run, ready to replay: its manifest and the files QEMU needs. Throws a BenchtopError
 * that names what is wrong (no recording, unreadable manifest, killed or unfinished run, a file
 * gone).
 */
export function openRecording(runDir: string, label: string): { manifest: RrManifest; image: ImageInfo; logFile: string } {
  const dir = rrDir(runDir);
  const manifest = readManifest(dir, label);
  const problem = problemOf(manifest, dir);
  if (problem) throw new BenchtopError('invalid-state', `${label} cannot be reproduced: ${problem}`);
  return { manifest, image: imageOf(dir, { board: manifest.board, kernel: '', initrd: '', sd: '', vmlinux: null }), logFile: path.join(dir, FILES.log) };
}

/** The recorded runs under a session folder, newest first (runs without an rr folder are skipped). */
export function listRecordings(sessionDir: string): RecordedRun[] {
  if (!fs.existsSync(sessionDir)) return [];
  const out: RecordedRun[] = [];
  for (const name of fs.readdirSync(sessionDir)) {
    const run = /^run-(\d+)$/.exec(name)?.[1];
    const dir = rrDir(path.join(sessionDir, name));
    if (!run || !fs.existsSync(dir)) continue;
    let m: RrManifest;
    try {
      m = readManifest(dir);
    } catch (e) {
      out.push({ run: Number(run), recordedAt: 0, endedAt: null, logBytes: 0, consoleBytes: null, problem: (e as Error).message });
      continue;
    }
    const log = path.join(dir, FILES.log);
    out.push({
      run: m.run,
      recordedAt: m.recordedAt,
      endedAt: m.endedAt,
      logBytes: fs.existsSync(log) ? fs.statSync(log).size : 0,
      consoleBytes: m.consoleBytes,
      problem: problemOf(m, dir),
    });
  }
  return out.sort((a, b) => b.run - a.run);
}

/** Why a recorded run cannot be replayed, or null. */
function problemOf(m: RrManifest, dir: string): string | null {
  if (m.exit === null) return 'the recording has not ended (its VM is still running, or Benchtop stopped without waiting for it)';
  if (m.exit.signal || m.exit.code !== 0) {
    return `QEMU did not end the recording cleanly (${m.exit.signal ? `signal ${m.exit.signal}` : `exit code ${m.exit.code}`}): its log has no header`;
  }
  for (const f of Object.values(FILES)) if (!fs.existsSync(path.join(dir, f))) return `its file ${f} is missing from ${dir}`;
  return null;
}

/**
 * Compare a reproduction's console with the recorded run's. The recorded side is the reference:
 * a reproduction that stopped early is "not identical" and says how far it got.
 */
export function compareTranscripts(recorded: Uint8Array, reproduced: Uint8Array, label: string): ReproductionVerdict {
  const n = Math.min(recorded.length, reproduced.length);
  let i = 0;
  while (i < n && recorded[i] === reproduced[i]) i++;
  if (i === recorded.length && i === reproduced.length) {
    return { identical: true, detail: `console identical to ${label} (${recorded.length.toLocaleString('en-US')} bytes)` };
  }
  const around = (b: Uint8Array) => JSON.stringify(Buffer.from(b.subarray(Math.max(0, i - 12), i + 12)).toString('latin1'));
  const where = `byte ${i.toLocaleString('en-US')} (recorded ${recorded.length.toLocaleString('en-US')} bytes, reproduced ${reproduced.length.toLocaleString('en-US')})`;
  return { identical: false, detail: `console differs from ${label} at ${where}: recorded ${around(recorded)}, reproduced ${around(reproduced)}` };
}

function imageOf(dir: string, image: ImageInfo): ImageInfo {
  return { ...image, kernel: path.join(dir, FILES.kernel), initrd: path.join(dir, FILES.initrd), sd: path.join(dir, FILES.sd) };
}

function readManifest(dir: string, label = dir): RrManifest {
  const file = path.join(dir, MANIFEST);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new BenchtopError(missing ? 'not-found' : 'bad-request', missing ? `${label} has no recording (${file} not found)` : `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > RR_MANIFEST_VERSION) {
    throw new BenchtopError('bad-request', `${file} is version ${version}, newer than this Benchtop reads (${RR_MANIFEST_VERSION})`);
  }
  const parsed = RrManifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BenchtopError('bad-request', `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

function writeManifest(dir: string, m: RrManifest): void {
  const file = path.join(dir, MANIFEST);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(m, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}
