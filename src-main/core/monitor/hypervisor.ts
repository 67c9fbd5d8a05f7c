/**
 * The hypervisor's view of a guest, through QMP: HMP `info …` pages and memory dumps.
 *
 * What QEMU 7.2's `mainstone` answers (measured): `info registers`, `mtree`, `qtree`, `cpus`,
 * `roms` print; `info irq` and `info pic` print nothing (the PXA2xx interrupt controller does
 * not report statistics to QEMU — the guest's /proc/interrupts has the rates); `info tlb` and
 * `info mem` are unknown commands on ARM. An empty page or "unknown command" is shown as not
 * supported, with the reason, instead of a blank pane.
 *
 * Memory: virtual addresses go through QMP `memsave` (QEMU walks the CPU's current page
 * tables; an unmapped address is an error, which we report as `not-mapped`). Physical
 * addresses go through `pmemsave`, which never fails: it reads unassigned space as zeros and
 * calls the read handler of device registers (reading a UART's data register would eat a
 * byte). So a physical read is first checked against the flat memory map and refused unless
 * every byte lies in RAM or ROM.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { InspectView } from '../../../src-shared/features/monitor';
import { BenchtopError } from '../../../src-shared/errors';

export interface QmpLike {
  hmp(commandLine: string): Promise<string>;
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T>;
}

const VIEW_COMMANDS: Record<InspectView, string> = {
  registers: 'info registers',
  irq: 'info irq',
  pic: 'info pic',
  mtree: 'info mtree',
  qtree: 'info qtree',
  cpus: 'info cpus',
  roms: 'info roms',
  tlb: 'info tlb',
};

const EMPTY_REASON: Partial<Record<InspectView, string>> = {
  irq: "QEMU keeps no interrupt statistics for this machine's interrupt controller (the guest's IRQ rates are in the Monitor charts, from /proc/interrupts)",
  pic: "this machine's interrupt controller (PXA2xx) does not report its state to QEMU",
};

export async function inspectView(qmp: QmpLike, view: InspectView): Promise<{ view: InspectView; supported: boolean; text: string }> {
  const command = VIEW_COMMANDS[view];
  const text = await qmp.hmp(command);
  if (/^unknown command/m.test(text)) return { view, supported: false, text: `\`${command}\`: ${text.trim()} (QEMU has no such page for this CPU)` };
  if (!text.trim()) return { view, supported: false, text: `\`${command}\` printed nothing: ${EMPTY_REASON[view] ?? 'QEMU has nothing to show here for this machine'}` };
  return { view, supported: true, text };
}

export interface FlatRegion {
  start: number;
  end: number; // inclusive
  kind: string; // ram, rom, romd, i/o…
  name: string;
}

/**
 * The regions of `info mtree -f`'s view of the CPU's address space ("FlatView" of
 * cpu-memory-0 / memory): `  00000000a0000000-00000000a3ffffff (prio 0, ram): pxa2xx.sdram`.
 */
export function parseFlatView(text: string): FlatRegion[] {
  const out: FlatRegion[] = [];
  let inCpuView = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^FlatView #/.test(line)) {
      inCpuView = false;
      continue;
    }
    if (/^\s*AS "(cpu-memory-0|memory)"/.test(line)) inCpuView = true;
    if (!inCpuView) continue;
    const m = /^\s*([0-9a-f]+)-([0-9a-f]+) \(prio -?\d+, ([^)]+)\): (.*)$/.exec(line);
    if (!m) continue;
    out.push({ start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16), kind: m[3]!, name: m[4]!.trim() });
  }
  // Several address spaces may share the view; keep each region once.
  const seen = new Set<string>();
  return out.filter((r) => {
    const k = `${r.start}-${r.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Why [address, address + length) cannot be read safely, or null when it is all RAM/ROM. */
export function physicalReadProblem(regions: FlatRegion[], address: number, length: number): { code: 'not-mapped' | 'device'; message: string } | null {
  let at = address;
  const end = address + length - 1;
  while (at <= end) {
    const r = regions.find((x) => x.start <= at && at <= x.end);
    if (!r) return { code: 'not-mapped', message: `physical address ${hex(at)} is not mapped (no RAM, ROM or device there)` };
    if (!/^(ram|rom|romd)/.test(r.kind)) {
      return { code: 'device', message: `physical address ${hex(at)} is device I/O (${r.name}); reading it could change the device's state, so Benchtop does not` };
    }
    at = r.end + 1;
  }
  return null;
}

/** Read guest memory into a Buffer through a temp file in `dir` (private to the session). */
export async function readGuestMemory(qmp: QmpLike, dir: string, space: 'physical' | 'virtual', address: number, length: number): Promise<Buffer> {
  if (address + length - 1 > 0xffff_ffff) throw new BenchtopError('bad-request', `${hex(address)} + ${length} bytes runs past the end of the 32-bit address space`);
  if (space === 'physical') {
    const problem = physicalReadProblem(parseFlatView(await qmp.hmp('info mtree -f')), address, length);
    if (problem) throw new BenchtopError(problem.code === 'not-mapped' ? 'not-mapped' : 'bad-request', problem.message);
  }
  const file = path.join(dir, `mem-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.bin`);
  try {
    try {
      await qmp.execute(space === 'physical' ? 'pmemsave' : 'memsave', { val: address, size: length, filename: file });
    } catch (e) {
      const msg = (e as Error).message;
      if (space === 'virtual' && /Invalid addr/i.test(msg)) {
        throw new BenchtopError('not-mapped', `virtual address range ${hex(address)}+${length} is not mapped in the CPU's current address space`);
      }
      throw e;
    }
    const data = await fs.readFile(file);
    if (data.length !== length) throw new BenchtopError('internal', `QEMU wrote ${data.length} of ${length} bytes`);
    return data;
  } finally {
    await fs.rm(file, { force: true });
  }
}
