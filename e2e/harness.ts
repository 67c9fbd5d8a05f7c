/** What every e2e file needs: the real `benchtop serve` on a temp workspace, Debian's Chromium, a page. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ImageInfo } from '../src-shared/contract';
import { ensureWebUiBuilt, serve, type Serving } from '../src-main/server/serve';
import { launchChromium } from './browser';

export const shotsDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots');

export interface Workbench {
  server: Serving;
  browser: Browser;
  page: Page;
  image: ImageInfo;
  /** Temp folder: the workspace is `<dir>/workspace`. */
  dir: string;
  close(): Promise<void>;
}

export async function startWorkbench(o: { tmpPrefix: string; acceptDownloads?: boolean }): Promise<Workbench> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), o.tmpPrefix));
  await ensureWebUiBuilt();
  const server = await serve({ workspace: path.join(dir, 'workspace') });
  const image = await server.core.ensureImage('mainstone'); // a cache hit after set-up; never inside a test's timeout
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, acceptDownloads: o.acceptDownloads ?? false });
  page.on('pageerror', (e) => console.error('page error:', e));
  return {
    server,
    browser,
    page,
    image,
    dir,
    async close() {
      await browser.close();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Open the workbench, create a session with the New session form, return its id. */
export async function createSessionInUi(page: Page, url: string): Promise<string> {
  await page.goto(url);
  await expect.poll(() => page.getByTestId('connection-state').innerText()).toMatch(/connected/i);
  await page.getByTestId('new-session').click();
  await page.getByTestId('new-session-create').click();
  const row = page.locator('[data-testid="session-item"]').first();
  await expect.poll(() => row.getAttribute('data-state')).toBe('created');
  return (await row.getAttribute('data-session-id'))!;
}
