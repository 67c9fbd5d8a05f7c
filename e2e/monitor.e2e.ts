/**
 * The Monitor tab as a user meets it: the workbench served on 127.0.0.1, a real Chromium, a
 * real mainstone VM sampled by the target agent.
 *
 *   Resources   live charts; a CPU burner typed on the console tops the table at > 80 %;
 *               suspend → T, resume → R, kill (confirmed) → gone; filter
 *   Hypervisor  registers answer, the PXA interrupt controller says it has nothing
 *   Memory      a physical dump of the kernel's first page; an unmapped virtual address
 *   Recorded    after Stop, the same charts from SQLite and the scrubber over the table
 *
 * Screenshots: e2e/screenshots/monitor-*.png (looked at: axes, legends, units).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionInUi, shotsDir, startWorkbench, type Workbench } from './harness';

let wb: Workbench;
let page: Page;

beforeAll(async () => {
  wb = await startWorkbench({ tmpPrefix: 'bt-e2e-monitor-' });
  page = wb.page;
});
afterAll(async () => wb?.close());

const shot = (name: string) => page.screenshot({ path: path.join(shotsDir, `monitor-${name}.png`) });
const rows = () => page.locator('[data-testid="monitor-proc-row"]');
const burnerRow = () => rows().filter({ hasText: 'while :' });
const cellTexts = async (row: ReturnType<Page['locator']>) => (await row.locator('td').allInnerTexts()).map((t) => t.trim());

describe('Monitor tab through the WebSocket door', () => {
  it('a started session is sampled live: charts fill, the table lists the guest processes', async () => {
    await createSessionInUi(page, wb.server.url);
    await page.getByTestId('action-start').click();
    await expect.poll(() => page.getByTestId('session-state').innerText(), { timeout: 30_000 }).toMatch(/running/i);
    await page.getByTestId('tab-monitor').click();
    await expect.poll(() => page.getByTestId('monitor-state').getAttribute('data-active'), { timeout: 90_000 }).toBe('true');
    await expect.poll(async () => Number(await page.getByTestId('monitor-charts').getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(30);
    for (const chart of ['cpu', 'mem', 'irq', 'host']) await expect.poll(() => page.locator(`[data-testid="monitor-chart"][data-chart="${chart}"] canvas`).count()).toBeGreaterThan(0);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBeGreaterThan(10);
    await expect.poll(() => page.locator('[data-testid="monitor-proc-row"][data-pid="1"]').innerText()).toContain('/init');
  });

  it('a CPU burner typed on the console tops the table above 80 %; suspend, resume and kill it from its row', async () => {
    await page.getByTestId('tab-terminal').click();
    await expect.poll(() => page.locator('[data-testid="terminal"] .xterm-rows').innerText(), { timeout: 60_000 }).toMatch(/benchtop:\/# /);
    await page.getByTestId('terminal').click();
    await page.keyboard.type("sh -c 'while :; do :; done' &\n");
    await page.getByTestId('tab-monitor').click();
    await expect.poll(async () => {
      const first = rows().first();
      const text = await first.innerText();
      return text.includes('while :') ? Number((await cellTexts(first))[3]!.replace(/[^0-9.]/g, '')) : -1;
    }, { timeout: 15_000 }).toBeGreaterThan(80);
    await page.mouse.move(700, 160); // hover the CPU chart: every chart shows its cursor
    await shot('live');

    await burnerRow().getByTestId('monitor-proc-suspend').click();
    await expect.poll(() => burnerRow().getAttribute('data-state'), { timeout: 10_000 }).toBe('T');
    await burnerRow().getByTestId('monitor-proc-resume').click();
    await expect.poll(() => burnerRow().getAttribute('data-state'), { timeout: 10_000 }).toBe('R');
    await burnerRow().getByTestId('monitor-proc-kill').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => burnerRow().count(), { timeout: 10_000 }).toBe(0);

    await page.getByTestId('monitor-proc-filter').fill('kthreadd');
    await expect.poll(() => rows().count()).toBe(1);
    await expect.poll(() => rows().first().getAttribute('data-pid')).toBe('2');
    await page.getByTestId('monitor-proc-filter').fill('');
  });

  it('Hypervisor: registers answer, the interrupt controller says why it has nothing', async () => {
    await page.getByTestId('monitor-subtab-inspector').click();
    await page.getByTestId('inspect-view').selectOption('registers');
    await expect.poll(() => page.getByTestId('inspect-text').innerText(), { timeout: 10_000 }).toMatch(/R15=[0-9a-f]{8}/);
    await shot('hypervisor');
    await page.getByTestId('inspect-view').selectOption('pic');
    await expect.poll(() => page.getByTestId('inspect-unsupported').innerText(), { timeout: 10_000 }).toMatch(/PXA2xx/);
  });

  it('Memory: a physical dump in hex + ASCII, an unmapped virtual address is named', async () => {
    await page.getByTestId('monitor-subtab-memory').click();
    await page.getByTestId('memory-space').selectOption('physical');
    await page.getByTestId('memory-address').fill('0xa0008000');
    await page.getByTestId('memory-go').click();
    await expect.poll(() => page.getByTestId('memory-row').count(), { timeout: 10_000 }).toBe(16); // 256 bytes
    // The kernel's first instruction (msr cpsr_c, #0xd3) as QEMU's xp prints it: d3 f0 21 e3.
    expect(await page.getByTestId('memory-row').first().innerText()).toMatch(/a0008000[\s\S]*d3 f0 21 e3/i);
    await shot('memory');
    await page.getByTestId('memory-space').selectOption('virtual');
    await page.getByTestId('memory-address').fill('0x10');
    await page.getByTestId('memory-go').click();
    await expect.poll(() => page.getByTestId('memory-error').innerText(), { timeout: 10_000 }).toMatch(/not mapped/i);
    await page.getByTestId('memory-address').fill('0xzz');
    await page.getByTestId('memory-go').click();
    await expect.poll(() => page.getByTestId('memory-input-error').innerText()).toMatch(/0xzz.*not a hex number/i);
  });

  it('after Stop the run is shown from the record, and the scrubber moves the table through time', async () => {
    await page.getByTestId('monitor-subtab-resources').click();
    await page.getByTestId('action-stop').click();
    await expect.poll(() => page.getByTestId('session-state').innerText(), { timeout: 30_000 }).toMatch(/stopped/i);
    await expect.poll(() => page.getByTestId('monitor-run').inputValue(), { timeout: 10_000 }).not.toBe('live');
    await expect.poll(async () => Number(await page.getByTestId('monitor-charts').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(30);
    const scrubber = page.getByTestId('monitor-scrubber');
    await scrubber.fill(String(await scrubber.getAttribute('min')));
    const early = await page.getByTestId('monitor-scrub-time').innerText();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBeGreaterThan(5);
    await scrubber.fill(String(await scrubber.getAttribute('max')));
    await expect.poll(() => page.getByTestId('monitor-scrub-time').innerText()).not.toBe(early);
    await shot('recorded');
  });
});
