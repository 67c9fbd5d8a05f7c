import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mainstone } from '../boards/profiles';
import { assertBoardSupported, parseMachineList } from './probe';

// A stand-in qemu-system-arm that reports a QEMU newer than 9.2 (no mainstone): tests the
// probe's message, not QEMU. The real binary is exercised by the integration tests.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-fakeqemu-'));
fs.writeFileSync(
  path.join(dir, 'qemu-system-arm'),
  `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "QEMU emulator version 9.2.0"; else printf 'Supported machines are:\\nvirt                 QEMU 9.2 ARM Virtual Machine\\nnone                 empty machine\\n'; fi\n`,
  { mode: 0o755 },
);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('QEMU probe', () => {
  it('parses the machine list of -M help', () => {
    const text = 'Supported machines are:\nakita                Sharp SL-C1000 (Akita) PDA (PXA270)\nmainstone            Mainstone II (PXA27x)\nvirt                 QEMU 7.2 ARM Virtual Machine (alias of virt-7.2)\n';
    expect(parseMachineList(text)).toEqual(['akita', 'mainstone', 'virt']);
  });

  it('says plainly that QEMU 9.2 removed mainstone and names the fix', async () => {
    await expect(assertBoardSupported(mainstone, dir)).rejects.toMatchObject({
      code: 'unsupported-board',
      message: expect.stringMatching(/removed the PXA boards \(mainstone\) in 9\.2.*qemu-system-arm 7\.2/),
    });
  });

  it('names the package when qemu-system-arm is not on PATH', async () => {
    await expect(assertBoardSupported(mainstone, '/nonexistent')).rejects.toMatchObject({
      code: 'missing-tool',
      message: expect.stringMatching(/qemu-system-arm is not on PATH.*apt-get install qemu-system-arm/),
    });
  });
});
