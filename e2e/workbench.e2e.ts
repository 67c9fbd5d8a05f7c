/**
 * The foundation as a new user meets it: the workbench served on 127.0.0.1, a real Chromium,
 * a real mainstone VM. Screenshots go to e2e/screenshots/ (and are looked at).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Serving } from '../src-main/server/serve';
import { createSessionInUi, shotsDir as shots, startWorkbench, type Workbench } from './harness';

let wb: Workbench;
let server: Serving;
let page: Page;

beforeAll(async () => {
  wb = await startWorkbench({ tmpPrefix: 'bt-e2e-' });
  ({ server, page } = wb);
});

afterAll(async () => wb?.close());

const terminalText = () => page.locator('[data-testid="terminal"] .xterm-rows').innerText();

async function waitForTerminal(re: RegExp, timeout = 60_000) {
  await expect.poll(terminalText, { timeout, interval: 100 }).toMatch(re);
}

describe('workbench in a browser through the WebSocket door', () => {
  let id: string;

  it('creates a session, starts it and shows the boot log and a prompt', async () => {
    id = await createSessionInUi(page, server.url);
    await page.getByTestId('tab-terminal').click();
    await page.getByTestId('action-start').click();
    await expect.poll(() => page.getByTestId('session-state').innerText(), { timeout: 30_000 }).toMatch(/running/i);
    await waitForTerminal(/benchtop:\/# /);
    // The boot log is in the terminal (only the rows on screen are in the DOM).
    expect(await terminalText()).toMatch(/Run \/init as init process[\s\S]*benchtop-guest: ready/);
    await page.screenshot({ path: path.join(shots, '01-booted.png') });
  });

  it('types into the guest and reads the answer', async () => {
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo hello-benchtop\n');
    // The echo of the typed line and the output line: two occurrences.
    await expect.poll(async () => (await terminalText()).match(/hello-benchtop/g)?.length ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await page.keyboard.type('uname -a\n');
    await waitForTerminal(/Linux benchtop 6\.1\.\d+.* armv5tel/);
    await page.screenshot({ path: path.join(shots, '02-typed.png') });
  });

  it('pauses and resumes from the toolbar', async () => {
    await page.getByTestId('action-pause').click();
    await expect.poll(() => page.getByTestId('session-state').innerText()).toMatch(/paused/i);
    await expect.poll(async () => (await server.core.sessions.qemu(id).qmpClient.execute<{ status: string }>('query-status')).status).toBe('paused');
    await page.screenshot({ path: path.join(shots, '03-paused.png') });
    await page.getByTestId('action-resume').click();
    await expect.poll(() => page.getByTestId('session-state').innerText()).toMatch(/running/i);
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo resumed-$((40+2))\n');
    await waitForTerminal(/resumed-42/);
  });

  it('the terminal keeps its output across a tab switch', async () => {
    await page.getByTestId('tab-overview').click();
    await page.screenshot({ path: path.join(shots, '04-overview.png') });
    await page.getByTestId('tab-terminal').click();
    await waitForTerminal(/resumed-42/, 5000);
  });

  it('stops the VM; after a reload the past session and its transcript are still there', async () => {
    await page.getByTestId('action-stop').click();
    await expect.poll(() => page.getByTestId('session-state').innerText(), { timeout: 15_000 }).toMatch(/stopped/i);
    await page.reload();
    const row = page.locator(`[data-testid="session-item"][data-session-id="${id}"]`);
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('stopped');
    await row.click();
    await page.getByTestId('tab-terminal').click();
    await waitForTerminal(/hello-benchtop/, 15_000);
    await page.getByTestId('log-panel').scrollIntoViewIfNeeded();
    await expect.poll(() => page.getByTestId('log-panel').innerText()).toMatch(/stop/i);
    await page.screenshot({ path: path.join(shots, '05-reopened.png') });
  });
});
