/**
 * Deterministic mode as a user meets it, on a real mainstone VM in the served workbench: create
 * a session with "Deterministic" ticked → start → type on its console → stop → the Overview
 * lists run 1 → Reproduce → a new session replays it by itself, takes no typing, and ends with
 * "console identical".
 *
 * Screenshots: e2e/screenshots/rr-*.png (looked at).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shotsDir, startWorkbench, type Workbench } from './harness';

let wb: Workbench;
let page: Page;

beforeAll(async () => {
  wb = await startWorkbench({ tmpPrefix: 'bt-e2e-rr-' });
  page = wb.page;
});
afterAll(async () => wb?.close());

const shot = (name: string) => page.screenshot({ path: path.join(shotsDir, `rr-${name}.png`) });
const terminalText = () => page.locator('[data-testid="terminal"] .xterm-rows').innerText();

describe('deterministic mode: record a run, reproduce it exactly', () => {
  let recordId: string;

  it('creates a deterministic session, types into it while QEMU records, stops it', async () => {
    await page.goto(wb.server.url);
    await expect.poll(() => page.getByTestId('connection-state').innerText()).toMatch(/connected/i);
    await page.getByTestId('new-session').click();
    await page.getByTestId('new-session-name').fill('rr demo');
    await page.getByTestId('new-session-deterministic').check();
    // The keypad loses keys while QEMU records: the form switches to the USB keyboard.
    expect(await page.getByTestId('new-session-input').inputValue()).toBe('usb-kbd');
    await expect.poll(() => page.getByTestId('new-session-rr-hint').innerText()).toMatch(/no guest agent/);
    await shot('new-session');
    await page.getByTestId('new-session-create').click();
    const row = page.locator('[data-testid="session-item"]').first();
    await expect.poll(() => row.getAttribute('data-state')).toBe('created');
    recordId = (await row.getAttribute('data-session-id'))!;
    expect(await page.getByTestId('rr-badge').getAttribute('data-mode')).toBe('record');

    await page.getByTestId('action-start').click();
    await expect.poll(terminalText, { timeout: 60_000 }).toMatch(/benchtop:\/# /);
    expect(await page.getByTestId('terminal-rr-record').innerText()).toMatch(/paced/);
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo rr-e2e-$((6*7))\n', { delay: 20 });
    await expect.poll(terminalText, { timeout: 20_000 }).toMatch(/^rr-e2e-42$/m);
    // No agent in this mode: the Monitor says why instead of waiting for one.
    await page.getByTestId('tab-monitor').click();
    await expect.poll(() => page.getByTestId('monitor-pane').innerText(), { timeout: 10_000 }).toMatch(/no agent in deterministic mode/);
    await shot('monitor');
    await page.getByTestId('action-stop').click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('stopped');

    await page.getByTestId('tab-overview').click();
    const run = page.getByTestId('rr-run-1');
    await expect.poll(() => run.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => run.getByTestId('rr-reproduce').count()).toBe(1);
    await shot('recorded');
  });

  it('Reproduce starts a new session that replays run 1 by itself, refuses typing, and matches it byte for byte', async () => {
    await page.getByTestId('rr-run-1').getByTestId('rr-reproduce').click();
    await expect.poll(() => page.getByTestId('rr-badge').getAttribute('data-mode'), { timeout: 30_000 }).toBe('replay');
    const copy = wb.server.core.sessions.list().find((s) => s.determinism.mode === 'replay')!;
    expect(copy.determinism).toMatchObject({ of: { sessionId: recordId, run: 1 } });
    // The reproduction is the selected session.
    expect(await page.locator('[data-testid="session-item"][aria-selected="true"]').getAttribute('data-session-id')).toBe(copy.id);

    await page.getByTestId('tab-terminal').click();
    await expect.poll(() => page.getByTestId('terminal-hint').innerText()).toMatch(/reproduces a recorded run exactly/);
    await expect.poll(terminalText, { timeout: 60_000 }).toMatch(/^rr-e2e-42$/m);
    await shot('replaying');

    await page.getByTestId('tab-overview').click();
    await expect.poll(() => page.getByTestId('rr-verdict').getAttribute('data-identical'), { timeout: 90_000 }).toBe('true');
    expect(await page.getByTestId('rr-verdict').innerText()).toMatch(/console identical to run 1 of rr demo \([\d,]+ bytes\)/);
    expect(wb.server.core.sessions.transcript(copy.id, 1 << 20).data).toBe(wb.server.core.sessions.transcript(recordId, 1 << 20).data);
    // The history panel says it too (it refetches a moment after the change).
    await expect.poll(() => page.getByTestId('log-panel').innerText()).toMatch(/reproduced\s+console identical/);
    await shot('reproduced');
  });
});
