import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConsoleLog } from './console-log';
import type { SessionStore } from '../store/session-store';

function memoryStore() {
  const chunks: { offset: number; data: Buffer }[] = [];
  const store = { appendConsole: (c: { offset: number; data: Buffer }[]) => chunks.push(...c) } as unknown as SessionStore;
  return { store, chunks };
}

describe('ConsoleLog', () => {
  it('decodes UTF-8 split across chunks and keeps byte offsets', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.array(fc.nat(), { maxLength: 10 }), (text, cuts) => {
        const bytes = Buffer.from(text, 'utf8');
        const { store, chunks } = memoryStore();
        const log = new ConsoleLog(store, 's', 1, 100);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        let prev = 0;
        let decoded = '';
        for (const p of [...points, bytes.length]) {
          decoded += log.push(bytes.subarray(prev, p)).text;
          prev = p;
        }
        log.close('done');
        expect(decoded).toBe(text);
        expect(log.offset).toBe(100 + bytes.length);
        expect(Buffer.concat(chunks.map((c) => c.data)).equals(bytes)).toBe(true);
        chunks.forEach((c, i) => i > 0 && expect(c.offset).toBe(chunks[i - 1]!.offset + chunks[i - 1]!.data.length));
      }),
    );
  });

  it('resolves a waiter only for text after its start point, and times out otherwise', async () => {
    const { store } = memoryStore();
    const log = new ConsoleLog(store, 's', 1, 0);
    log.push(Buffer.from('old prompt# '));
    const from = log.charEnd;
    const w = log.waitFor(/prompt# $/, { timeoutMs: 1000, from });
    log.push(Buffer.from('output\r\nprompt# '));
    const m = await w;
    expect(m.endChar).toBe(log.charEnd);
    await expect(log.waitFor(/never/, { timeoutMs: 20 })).rejects.toThrow(/did not show/);
    log.close('done');
  });

  it('rejects pending waiters when the console closes', async () => {
    const log = new ConsoleLog(memoryStore().store, 's', 1, 0);
    const w = log.waitFor(/x/, { timeoutMs: 10_000 });
    log.close('QEMU exited');
    await expect(w).rejects.toThrow(/QEMU exited/);
  });
});
