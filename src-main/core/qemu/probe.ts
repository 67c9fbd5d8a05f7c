/**
 * What the local QEMU can do. Mainstone was removed from QEMU in 9.2, so before starting a
 * session we ask the binary for its machines and say plainly what to do when the board is gone.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BenchtopError } from '../../../src-shared/errors';
import type { BoardProfile } from '../boards/profiles';
import { requireTool } from '../util/host-tools';

const run = promisify(execFile);

export interface QemuCapabilities {
  binary: string;
  version: string; // e.g. "7.2.22"
  machines: string[];
  /** Trace events the binary can log (`-trace help`; empty when built without a trace backend). */
  traceEvents: ReadonlySet<string>;
}

const cache = new Map<string, Promise<QemuCapabilities>>();

export function probeQemu(program: string, envPath?: string): Promise<QemuCapabilities> {
  const binary = requireTool(program, program.startsWith('qemu-system-') ? program : 'qemu-system', envPath);
  let p = cache.get(binary);
  if (!p) {
    p = (async () => {
      const [ver, machines, trace] = await Promise.all([
        run(binary, ['--version'], { timeout: 10_000 }),
        run(binary, ['-M', 'help'], { timeout: 10_000 }),
        run(binary, ['-trace', 'help'], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }).catch(() => ({ stdout: '' })),
      ]);
      return {
        binary,
        version: /version (\d+\.\d+(?:\.\d+)?)/.exec(ver.stdout)?.[1] ?? 'unknown',
        machines: parseMachineList(machines.stdout),
        traceEvents: new Set(trace.stdout.split('\n').filter((l) => /^[a-z0-9_]+$/.test(l))),
      };
    })();
    p.catch(() => cache.delete(binary));
    cache.set(binary, p);
  }
  return p;
}

export function parseMachineList(helpText: string): string[] {
  const out: string[] = [];
  for (const line of helpText.split('\n')) {
    const m = /^(\S+)\s{2,}\S/.exec(line);
    if (m && m[1] !== 'Supported') out.push(m[1]!);
  }
  return out;
}

/** Throw `unsupported-board` with the fix when the QEMU binary lacks the board's machine. */
export async function assertBoardSupported(board: BoardProfile, envPath?: string): Promise<QemuCapabilities> {
  const caps = await probeQemu(board.qemuBinary, envPath);
  if (!caps.machines.includes(board.machine)) {
    const [maj = 0, min = 0] = caps.version.split('.').map(Number);
    const removed = board.machine === 'mainstone' && (maj > 9 || (maj === 9 && min >= 2));
    throw new BenchtopError(
      'unsupported-board',
      `${caps.binary} (QEMU ${caps.version}) has no '${board.machine}' machine` +
        (removed
          ? ': QEMU removed the PXA boards (mainstone) in 9.2. Install a QEMU that still has it, such as Debian 12\'s qemu-system-arm 7.2 (apt-get install qemu-system-arm on bookworm), and put it first on PATH.'
          : `. Machines it has: ${caps.machines.slice(0, 12).join(', ')}${caps.machines.length > 12 ? ', …' : ''}.`),
    );
  }
  return caps;
}
