/** A recorded run's files: manifest validation, what can be reproduced, transcript verdicts. */
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareTranscripts, finishRecording, listRecordings, openRecording, prepareRecording, rrDir } from './recording-files';

let dir: string;
let image: { board: string; kernel: string; initrd: string; sd: string; vmlinux: null };
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-rr-'));
  for (const f of ['zImage', 'initrd.gz', 'sd.img']) fs.writeFileSync(path.join(dir, f), `bytes of ${f}`);
  image = { board: 'mainstone', kernel: path.join(dir, 'zImage'), initrd: path.join(dir, 'initrd.gz'), sd: path.join(dir, 'sd.img'), vmlinux: null };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const runDir = (n: number) => path.join(dir, 'session', `run-${n}`);

describe('recording files', () => {
  it('a run boots copies of its image, and can be reproduced only once QEMU exited cleanly', () => {
    const r = prepareRecording(runDir(1), image, { sessionId: 's1', run: 1, board: 'mainstone', now: 1000 });
    expect(r.image.kernel.startsWith(rrDir(runDir(1)))).toBe(true);
    expect(fs.readFileSync(r.image.sd, 'utf8')).toBe('bytes of sd.img');
    fs.writeFileSync(image.sd, 'the session wrote to its card later');
    expect(fs.readFileSync(r.image.sd, 'utf8')).toBe('bytes of sd.img');

    expect(() => openRecording(runDir(1), 'run 1')).toThrow(/run 1 cannot be reproduced: the recording has not ended/);
    fs.writeFileSync(r.logFile, 'log');
    finishRecording(runDir(1), { exit: { code: 0, signal: null }, consoleBytes: 42, qemuVersion: '7.2.22', now: 2000 });
    const ok = openRecording(runDir(1), 'run 1');
    expect(ok.manifest).toMatchObject({ run: 1, consoleBytes: 42, qemuVersion: '7.2.22', endedAt: 2000 });
    expect(ok.logFile).toBe(r.logFile);
    expect(ok.image.initrd).toBe(r.image.initrd);
  });

  it('a killed recording, a missing file, a bad manifest: each named, newest run first in the list', () => {
    for (const n of [1, 2, 3]) {
      const r = prepareRecording(runDir(n), image, { sessionId: 's1', run: n, board: 'mainstone' });
      fs.writeFileSync(r.logFile, 'x'.repeat(n));
    }
    finishRecording(runDir(1), { exit: { code: null, signal: 'SIGKILL' }, consoleBytes: 1, qemuVersion: null });
    finishRecording(runDir(2), { exit: { code: 0, signal: null }, consoleBytes: 2, qemuVersion: null });
    fs.rmSync(path.join(rrDir(runDir(2)), 'initrd'));
    fs.writeFileSync(path.join(rrDir(runDir(3)), 'manifest.json'), '{"format":"benchtop-rr","version":1');
    fs.mkdirSync(runDir(4)); // an ordinary run: not listed
    const runs = listRecordings(path.join(dir, 'session'));
    expect(runs.map((r) => r.run)).toEqual([3, 2, 1]);
    expect(runs[0]!.problem).toMatch(/manifest.json is not valid JSON/);
    expect(runs[1]!.problem).toMatch(/its file initrd is missing/);
    expect(runs[1]!.logBytes).toBe(2);
    expect(runs[2]!.problem).toMatch(/did not end the recording cleanly \(signal SIGKILL\)/);
    expect(() => openRecording(runDir(4), 'run 4')).toThrow(/run 4 has no recording/);
  });

  it('a manifest from a newer Benchtop or with a wrong field is refused by name, and left as it was', () => {
    prepareRecording(runDir(1), image, { sessionId: 's1', run: 1, board: 'mainstone' });
    const file = path.join(rrDir(runDir(1)), 'manifest.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...m, version: 9 }));
    expect(() => openRecording(runDir(1), 'run 1')).toThrow(/version 9, newer than this Benchtop reads \(1\)/);
    const bad = JSON.stringify({ ...m, run: 'one' });
    fs.writeFileSync(file, bad);
    expect(() => openRecording(runDir(1), 'run 1')).toThrow(/manifest.json: run: /);
    expect(fs.readFileSync(file, 'utf8')).toBe(bad);
  });
});

describe('compareTranscripts', () => {
  it('identical bytes are identical, and the verdict says how many', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const v = compareTranscripts(b, Uint8Array.from(b), 'run 1');
        expect(v.identical).toBe(true);
        expect(v.detail).toContain(`(${b.length.toLocaleString('en-US')} bytes)`);
      }),
    );
  });

  it('any difference — a changed byte, a longer or shorter reproduction — is found at its first byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 1, maxLength: 50 }), fc.nat(), (common, tail, pick) => {
        const recorded = Uint8Array.from([...common, ...tail]);
        const variants = [Uint8Array.from(common), Uint8Array.from([...common, ...tail, 7]), Uint8Array.from([...common, tail[0]! ^ 1, ...tail.slice(1)])];
        const reproduced = variants[pick % variants.length]!;
        const v = compareTranscripts(recorded, reproduced, 'run 1');
        expect(v.identical).toBe(false);
        const at = pick % variants.length === 1 ? recorded.length : common.length;
        expect(v.detail).toContain(`at byte ${at.toLocaleString('en-US')} `);
      }),
    );
  });
});
