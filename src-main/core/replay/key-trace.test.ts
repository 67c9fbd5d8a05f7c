import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTraceLine } from '../qemu/trace-log';
import { KeyTraceMatcher } from './key-trace';

const perfNow = () => performance.timeOrigin + performance.now();

describe('KeyTraceMatcher', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const setup = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'key-trace-'));
    dirs.push(dir);
    const file = path.join(dir, 'qemu.log');
    fs.writeFileSync(file, '1@1000.000000:input_event_key_qcode con -1, key qcode a, down 1\n'); // before the replay: never matched
    // QEMU stamps with the wall clock, in µs.
    const key = (qcode: string, down: boolean, atPerfMs: number) =>
      fs.appendFileSync(file, `${formatTraceLine({ tid: 7, realtimeUs: Math.round((atPerfMs + (Date.now() - perfNow())) * 1000), event: 'input_event_key_qcode', args: `con -1, key qcode ${qcode}, down ${down ? 1 : 0}` })}\n1@1.000000:input_event_sync\n`);
    return { file, key };
  };

  it('finds the line of the key just sent, on the performance clock', () => {
    const { file, key } = setup();
    const m = new KeyTraceMatcher(file);
    const sent = perfNow();
    key('a', true, sent + 2);
    expect(Math.abs(m.take('a', true, sent)! - (sent + 2))).toBeLessThan(1.5); // Date.now()'s ms in the fake line
    m.close();
  });

  it('skips keys somebody else sent and lines from before the send; null when the line is not there', () => {
    const { file, key } = setup();
    const m = new KeyTraceMatcher(file);
    const sent = perfNow();
    key('b', true, sent - 20); // an earlier key: not this one
    key('x', true, sent + 1); // the user's key in between
    key('b', true, sent + 3);
    expect(Math.abs(m.take('b', true, sent)! - (sent + 3))).toBeLessThan(1.5);
    expect(m.take('b', false, sent)).toBeNull();
    key('b', false, sent + 20);
    expect(m.take('b', false, sent + 15)).not.toBeNull();
    m.close();
  });
});
