/**
 * The event manager as a user meets it, on a real mainstone VM in the served workbench:
 * Record → type on the console and (Guest input) on the board's keypad → Stop → the recording
 * opens in the Timeline editor → drag one event → Save (revision 2) → Replay it twice into the
 * session → the report with the guest kernel's timestamps → Compare the two replays.
 *
 * Screenshots: e2e/screenshots/replay-*.png (looked at).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionInUi, shotsDir, startWorkbench, type Workbench } from './harness';

let wb: Workbench;
let page: Page;
let sessionId: string;

beforeAll(async () => {
  wb = await startWorkbench({ tmpPrefix: 'bt-e2e-replay-', acceptDownloads: true });
  page = wb.page;
});
afterAll(async () => wb?.close());

const shot = (name: string) => page.screenshot({ path: path.join(shotsDir, `replay-${name}.png`) });
const terminalText = () => page.locator('[data-testid="terminal"] .xterm-rows').innerText();

describe('record, edit, replay, compare', () => {
  it('records console text and keypad keys between Record and Stop', async () => {
    sessionId = await createSessionInUi(page, wb.server.url);
    await page.getByTestId('action-start').click();
    await expect.poll(terminalText, { timeout: 60_000 }).toMatch(/benchtop:\/# /);
    await expect.poll(() => wb.server.core.agents.status(sessionId).state, { timeout: 60_000 }).toBe('connected');

    await page.getByTestId('action-record').click();
    await expect.poll(() => page.getByTestId('action-record').getAttribute('data-recording')).toBe('true');
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo replayed-$((6*7))\n', { delay: 30 });
    await expect.poll(terminalText).toMatch(/replayed-42/);
    await page.getByTestId('tab-screen').click();
    await page.getByTestId('screen-canvas').click();
    await page.keyboard.type('ls', { delay: 60 });
    await page.keyboard.press('Enter', { delay: 60 });
    await page.keyboard.press('Control+Alt+KeyG');
    await expect.poll(async () => Number(await page.getByTestId('record-events').getAttribute('data-count'))).toBeGreaterThanOrEqual(6);
    await page.getByTestId('action-record').click();

    const item = page.locator('[data-testid="recording-item"]').first();
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('recording-editor').getAttribute('data-loaded'), { timeout: 10_000 }).toBe('true');
    // 3 keys × press/release + the console text (one event per terminal write)
    await expect.poll(async () => Number(await page.getByTestId('timeline').getAttribute('data-events'))).toBeGreaterThanOrEqual(7);
    await shot('timeline');
  });

  it('drags one event on the timeline and saves revision 2', async () => {
    const canvas = page.getByTestId('timeline-canvas');
    const box = (await canvas.boundingBox())!;
    // Find an event in the key lane (its first row, just under the 24 px ruler) by clicking along it.
    let grabbed: { x: number; y: number } | null = null;
    for (let x = box.x + 80; x < box.x + box.width - 10 && !grabbed; x += 4) {
      const y = box.y + 24 + 5 + 8;
      await page.mouse.click(x, y);
      if (Number(await page.getByTestId('timeline').getAttribute('data-selected')) > 0) grabbed = { x, y };
    }
    expect(grabbed, 'an event in the key lane').not.toBeNull();
    // A key bar is its press and its release: both move together.
    expect(await page.getByTestId('timeline').getAttribute('data-selected')).toBe('2');
    await page.mouse.move(grabbed!.x, grabbed!.y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(grabbed!.x + i * 6, grabbed!.y);
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('recording-editor').getAttribute('data-dirty')).toBe('true');
    await expect.poll(() => page.locator('[data-testid="timeline-undo"] .rec-count').getAttribute('data-count')).toBe('1');
    await shot('dragged');
    await page.getByTestId('timeline-save').click();
    await expect.poll(() => page.getByTestId('recording-editor').getAttribute('data-rev'), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => page.getByTestId('recording-editor').getAttribute('data-dirty')).toBe('false');
    // The saved revision has the two events later than revision 1 had them, and nothing else changed.
    const recordingId = (await page.getByTestId('recording-editor').getAttribute('data-recording-id'))!;
    const r1 = wb.server.core.replay.store.get(recordingId, 1).doc.events;
    const r2 = wb.server.core.replay.store.get(recordingId, 2).doc.events;
    const moved = r2.filter((e) => r1.find((o) => o.id === e.id)!.t !== e.t);
    expect(moved.length).toBe(2);
    for (const e of moved) expect(e.t).toBeGreaterThan(r1.find((o) => o.id === e.id)!.t);
    expect(r2.length).toBe(r1.length);
  });

  it('replays revision 2 twice into the session; the report has the guest kernel timestamps', async () => {
    await page.getByTestId('replay-target').selectOption(sessionId);
    await page.getByTestId('replay-repeat').fill('2');
    await page.getByTestId('replay-start').click();
    const rows = page.locator('[data-testid="replay-row"]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(async () => (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).join(','), { timeout: 60_000 }).toBe('done,done');
    await rows.first().getByTestId('replay-report-open').click();
    await expect.poll(() => page.getByTestId('replay-report-stats').innerText()).toMatch(/\d/);
    const guestCells = await page.locator('[data-testid="replay-report-row"]').allInnerTexts();
    expect(guestCells.length).toBeGreaterThanOrEqual(7);
    await shot('report');
    await page.getByTestId('replay-report-close').click();
  });

  it('compares the two replays: overlaid charts aligned at time zero, the per-segment table, CSV export', async () => {
    const picks = page.locator('[data-testid="replay-pick"]');
    await picks.nth(0).check();
    await picks.nth(1).check();
    await page.getByTestId('replay-compare').click();
    const pane = page.getByTestId('compare-pane');
    await expect.poll(() => pane.getAttribute('data-state'), { timeout: 20_000 }).toBe('ready');
    for (const chart of ['cpu', 'mem']) await expect.poll(() => page.locator(`[data-testid="compare-chart"][data-chart="${chart}"] canvas`).count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="compare-row"]').count()).toBeGreaterThan(1);
    await shot('compare');
    const download = page.waitForEvent('download');
    await page.getByTestId('compare-export-csv').click();
    const file = await (await download).path();
    const fs = await import('node:fs');
    const csv = fs.readFileSync(file!, 'utf8').trim().split(/\r?\n/);
    expect(csv.length).toBeGreaterThan(2);
    expect(csv[0]!.split(',').length).toBeGreaterThanOrEqual(3);
    await page.getByTestId('compare-close').click();
    await expect.poll(() => page.getByTestId('recording-editor').count()).toBe(1);
  });
});
