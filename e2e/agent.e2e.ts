/**
 * The compile → push → run loop and the agent panes as a user meets them: the workbench served
 * on 127.0.0.1, a real Chromium, a real mainstone VM with the target agent in its guest.
 *
 *   Host tab       a host shell in the session folder; `$CC $CFLAGS hello.c -o hello` (no VM needed)
 *   Files tab      upload a file into /tmp, download it, delete it
 *   Processes tab  `sleep 100`: suspend → stopped, resume → running, kill → killed by SIGKILL
 *   Run on target  pushes the hello binary to /tmp/hello, runs it, shows its output
 *
 * Screenshots: e2e/screenshots/agent-*.png (and are looked at).
 *
 * Before the guest image carries the agent, point BENCHTOP_E2E_AGENT_BINARY at an armel build
 * (`make -C resources/guest/agent arm OUT=…`): the test then writes it onto the session's SD
 * card copy (debugfs) and starts it from the serial console.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Serving } from '../src-main/server/serve';
import { createSessionInUi, shotsDir as shots, startWorkbench, type Workbench } from './harness';

const sideload = process.env.BENCHTOP_E2E_AGENT_BINARY;
let wb: Workbench;
let server: Serving;
let page: Page;
let sdTemplate: string;
let dir: string;

beforeAll(async () => {
  wb = await startWorkbench({ tmpPrefix: 'bt-e2e-agent-', acceptDownloads: true });
  ({ server, page } = wb);
  sdTemplate = wb.image.sd;
  dir = wb.dir;
});

afterAll(async () => wb?.close());

const rowsText = (testId: string) => page.locator(`[data-testid="${testId}"] .xterm-rows`).innerText();
const hostText = () => rowsText('host-terminal');
const shot = (name: string) => page.screenshot({ path: path.join(shots, `agent-${name}.png`) });
const procRow = (pid: string) => page.locator(`[data-testid="proc-row"][data-pid="${pid}"]`);
const PROMPT = /[#$]\s*$/;

describe('agent panes through the WebSocket door', () => {
  let id: string;

  it('the host terminal builds an ARM binary in the session folder, with the VM not started', async () => {
    id = await createSessionInUi(page, server.url);

    await page.getByTestId('tab-host').click();
    await expect.poll(hostText, { timeout: 15_000 }).toMatch(PROMPT);
    await expect.poll(() => page.getByTestId('host-cwd').innerText()).toContain(path.join('sessions', id));
    await page.getByTestId('host-terminal').click();
    await page.keyboard.type(
      `printf '#include <stdio.h>\\nint main(void) { printf("hello from arm %%d\\\\n", 6 * 7); fprintf(stderr, "and stderr\\\\n"); return 0; }\\n' > hello.c && ` +
        '$CC $CFLAGS hello.c -o hello && file hello\n',
    );
    await expect.poll(hostText, { timeout: 60_000 }).toMatch(/hello: ELF 32-bit LSB executable, ARM/);
    // Run on target names what was just built.
    await expect.poll(() => page.getByTestId('run-target-path').inputValue()).toBe(path.join(dir, 'workspace', 'sessions', id, 'host', 'hello'));
    await expect.poll(() => page.getByTestId('run-on-target').isDisabled()).toBe(true); // no VM yet
    await shot('01-host-terminal');

    // The shell and its text survive a tab switch.
    await page.getByTestId('tab-overview').click();
    await page.getByTestId('tab-host').click();
    await expect.poll(hostText, { timeout: 5000 }).toMatch(/ELF 32-bit LSB executable, ARM/);
  });

  it('the agent panes explain why they wait, then work once the guest agent is connected', async () => {
    if (sideload) {
      const sd = path.join(dir, 'workspace', 'sessions', id, 'sd.img');
      fs.copyFileSync(sdTemplate, sd);
      execFileSync('debugfs', ['-w', '-R', `write ${sideload} bt-agent`, `${sd}?offset=${2048 * 512}`], { stdio: 'pipe' });
    }
    await page.getByTestId('tab-files').click();
    await expect.poll(() => page.getByTestId('files-unavailable').innerText()).toMatch(/not running/i);
    await page.getByTestId('action-start').click();
    await expect.poll(() => page.getByTestId('session-state').innerText(), { timeout: 30_000 }).toMatch(/running/i);
    if (sideload) {
      await page.getByTestId('tab-terminal').click();
      await expect.poll(() => rowsText('terminal'), { timeout: 60_000 }).toMatch(/benchtop:\/# /);
      await page.getByTestId('terminal').click();
      await page.keyboard.type('cp /mnt/sd/bt-agent /tmp/bt-agent && chmod 755 /tmp/bt-agent && (setsid /tmp/bt-agent /dev/ttyS1 </dev/null >/tmp/agent.log 2>&1 &)\n');
      await page.getByTestId('tab-files').click();
    }
    await expect.poll(() => page.getByTestId('files-pane').getAttribute('data-ready'), { timeout: 90_000 }).toBe('true');
    await expect.poll(() => page.getByTestId('files-path').inputValue()).toBe('/tmp');
  });

  it('Files: upload into /tmp, download it back, delete it', async () => {
    const local = path.join(dir, 'notes.txt');
    const content = 'uploaded through the agent\n'.repeat(200);
    fs.writeFileSync(local, content);
    await page.getByTestId('files-upload').setInputFiles(local);
    const row = page.locator('[data-testid="files-row"][data-name="notes.txt"]');
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => row.innerText()).toMatch(/5\.3 KiB[\s\S]*-rw-r--r--/);
    await row.click();
    const download = page.waitForEvent('download');
    await page.getByTestId('files-download').click();
    const got = await download;
    expect(got.suggestedFilename()).toBe('notes.txt');
    expect(fs.readFileSync((await got.path())!, 'utf8')).toBe(content);
    await shot('02-files');

    await page.getByTestId('files-delete').click();
    await expect.poll(() => page.getByTestId('confirm-dialog').innerText()).toMatch(/\/tmp\/notes\.txt/);
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(0);

    // Into a directory by double-click, up by the breadcrumbs; a clear error for a bad path.
    await page.getByTestId('files-path').fill('/');
    await page.getByTestId('files-path').press('Enter');
    await page.locator('[data-testid="files-row"][data-name="etc"]').dblclick();
    await expect.poll(() => page.getByTestId('files-path').inputValue()).toBe('/etc');
    await expect.poll(() => page.locator('[data-testid="files-row"][data-name="passwd"]').count()).toBe(1);
    await page.getByTestId('files-path').fill('/no/such/dir');
    await page.getByTestId('files-path').press('Enter');
    await expect.poll(() => page.getByTestId('files-error').innerText()).toMatch(/\/no\/such\/dir.*No such file or directory/);
    await expect.poll(() => page.getByTestId('files-path').inputValue()).toBe('/etc');
    await page.getByTestId('files-refresh').click();
  });

  it('Processes: sleep 100, suspend → stopped, resume → running, kill → killed by SIGKILL', async () => {
    await page.getByTestId('tab-processes').click();
    await page.getByTestId('proc-run-input').fill('sleep 100');
    await page.getByTestId('proc-run').click();
    const first = page.locator('[data-testid="proc-row"]').first();
    await expect.poll(() => first.getAttribute('data-state'), { timeout: 30_000 }).toBe('running');
    const pid = (await first.getAttribute('data-pid'))!;
    const row = procRow(pid);
    await expect.poll(() => row.innerText()).toMatch(/sleep 100/);

    await row.getByTestId('proc-suspend').click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('stopped');
    await shot('03-process-stopped');
    await row.getByTestId('proc-resume').click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('running');
    await row.getByTestId('proc-kill').click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('exited');
    await expect.poll(() => row.getByTestId('proc-state').innerText()).toMatch(/killed by SIGKILL/);

    // stdout and stderr of a command line, with its exit code.
    await page.getByTestId('proc-run-input').fill(`sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'`);
    await page.getByTestId('proc-run-input').press('Enter');
    const sh = page.locator('[data-testid="proc-row"]').first();
    await expect.poll(() => sh.getAttribute('data-state'), { timeout: 30_000 }).toBe('exited');
    await expect.poll(() => sh.getByTestId('proc-state').innerText()).toMatch(/exited \(3\)/);
    await expect.poll(() => page.locator('[data-testid="proc-output"] .out-stdout').innerText()).toMatch(/to-stdout/);
    await expect.poll(() => page.locator('[data-testid="proc-output"] .out-stderr').innerText()).toMatch(/to-stderr/);
    await shot('04-processes');
  });

  it('Run on target pushes the binary built on the host and shows what it prints', { timeout: 300_000 }, async () => {
    await page.getByTestId('tab-host').click();
    await expect.poll(() => page.getByTestId('run-on-target').isEnabled()).toBe(true);
    await page.getByTestId('run-on-target').click();
    await expect.poll(() => page.getByTestId('run-on-target').innerText()).toMatch(/Pushing to \/tmp\/hello/);
    await shot('05-pushing');
    // The push goes through the emulated UART (a static binary of ~0.6 MB).
    await expect.poll(() => page.getByTestId('processes-pane').count(), { timeout: 240_000, interval: 500 }).toBe(1);
    const row = page.locator('[data-testid="proc-row"]').first();
    await expect.poll(() => row.innerText()).toMatch(/\/tmp\/hello/);
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('exited');
    await expect.poll(() => page.getByTestId('proc-output').innerText()).toMatch(/hello from arm 42/);
    await expect.poll(() => page.locator('[data-testid="proc-output"] .out-stderr').innerText()).toMatch(/and stderr/);
    await expect.poll(() => row.getByTestId('proc-state').innerText()).toMatch(/exited \(0\)/);
    await shot('06-run-on-target');
  });
});
