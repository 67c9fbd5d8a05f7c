import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchtopError } from '../../../src-shared/errors';
import { inspectView, parseFlatView, physicalReadProblem, readGuestMemory, type QmpLike } from './hypervisor';

const mtree = fs.readFileSync(path.join(__dirname, 'fixtures', 'mtree-f.mainstone.txt'), 'utf8');

describe('parseFlatView (real `info mtree -f` of QEMU 7.2 mainstone)', () => {
  const regions = parseFlatView(mtree);
  it('finds the SDRAM, the flash and device regions of the CPU address space', () => {
    expect(regions.find((r) => r.name === 'pxa270.sdram')).toEqual({ start: 0xa0000000, end: 0xa3ffffff, kind: 'ram', name: 'pxa270.sdram' });
    expect(regions.find((r) => r.name === 'mainstone.flash0')?.kind).toBe('romd');
    expect(regions.filter((r) => r.name === 'serial').length).toBeGreaterThanOrEqual(2);
    expect(regions.some((r) => r.name === 'io')).toBe(false); // the I/O-port address space is not the CPU's
  });
  it('allows RAM, refuses device registers and unmapped space with the reason', () => {
    expect(physicalReadProblem(regions, 0xa0008000, 4096)).toBeNull();
    expect(physicalReadProblem(regions, 0x40100000, 4)).toMatchObject({ code: 'device', message: expect.stringContaining('serial') });
    expect(physicalReadProblem(regions, 0x70000000, 4)).toMatchObject({ code: 'not-mapped', message: expect.stringContaining('0x70000000') });
    // A read that runs from the end of RAM into nothing is refused at the first bad byte.
    expect(physicalReadProblem(regions, 0xa3fffff0, 32)?.message).toContain('0xa4000000');
  });
});

function fakeQmp(o: { hmp?: Record<string, string>; memsaveError?: string }): QmpLike & { executed: string[] } {
  const executed: string[] = [];
  return {
    executed,
    hmp: async (c) => o.hmp?.[c] ?? '',
    execute: async <T>(command: string, args?: Record<string, unknown>) => {
      executed.push(command);
      if (o.memsaveError && command === 'memsave') throw new Error(o.memsaveError);
      const a = args as { size: number; filename: string; val: number };
      fs.writeFileSync(a.filename, Buffer.alloc(a.size, a.val & 0xff));
      return {} as T;
    },
  };
}

describe('inspectView', () => {
  it('says when QEMU has nothing for this machine instead of showing a blank page', async () => {
    const q = fakeQmp({ hmp: { 'info registers': 'R00=00000000\n', 'info tlb': "unknown command: 'info tlb'\n" } });
    expect(await inspectView(q, 'registers')).toEqual({ view: 'registers', supported: true, text: 'R00=00000000\n' });
    expect(await inspectView(q, 'tlb')).toMatchObject({ supported: false, text: expect.stringContaining('unknown command') });
    expect(await inspectView(q, 'pic')).toMatchObject({ supported: false, text: expect.stringContaining('PXA2xx') });
  });
});

describe('readGuestMemory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-mem-'));
  it('reads physical RAM with pmemsave after checking the map, and leaves no temp file', async () => {
    const q = fakeQmp({ hmp: { 'info mtree -f': mtree } });
    const data = await readGuestMemory(q, dir, 'physical', 0xa0000011, 64);
    expect(data.length).toBe(64);
    expect(data[0]).toBe(0x11);
    expect(q.executed).toEqual(['pmemsave']);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
  it('refuses a device register without touching it', async () => {
    const q = fakeQmp({ hmp: { 'info mtree -f': mtree } });
    await expect(readGuestMemory(q, dir, 'physical', 0x40100000, 16)).rejects.toThrow(/device I\/O \(serial\)/);
    expect(q.executed).toEqual([]);
  });
  it('turns QEMU\'s "Invalid addr" of an unmapped virtual address into not-mapped', async () => {
    const q = fakeQmp({ memsaveError: 'QMP memsave failed: GenericError: Invalid addr 0x0000000000000010/size 16 specified' });
    const err = await readGuestMemory(q, dir, 'virtual', 0x10, 16).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchtopError);
    expect((err as BenchtopError).code).toBe('not-mapped');
    expect((err as Error).message).toContain('0x00000010');
  });
  it('refuses a range past 4 GiB', async () => {
    await expect(readGuestMemory(fakeQmp({}), dir, 'virtual', 0xffffff00, 512)).rejects.toThrow(/past the end/);
  });
});
