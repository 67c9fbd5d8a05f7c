/**
 * The Screen tab as a user meets it: the workbench served on 127.0.0.1, a real Chromium, a
 * real mainstone VM. The LCD shows live (≥ 5 frames/s), a click enters Guest input mode, `ls`
 * + Enter typed on the host keyboard reach the board keypad and the shell on tty1 prints the
 * listing on the LCD; a digit (not on the keypad) is flagged; Ctrl+Alt+G leaves. A session
 * created with the USB keyboard says it delivers every key.
 *
 * Screenshots: e2e/screenshots/screen-*.png (looked at: LCD text sharp, hint, legend, flash).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, litPixels } from '../src-main/core/input/testing/png';
import { createSessionInUi, shotsDir, startWorkbench, type Workbench } from './harness';

let wb: Workbench;
let page: Page;
let id: string;

beforeAll(async () => {
  wb = await startWorkbench({ tmpPrefix: 'bt-e2e-screen-' });
  page = wb.page;
});
afterAll(async () => wb?.close());

const shot = (name: string) => page.screenshot({ path: path.join(shotsDir, `screen-${name}.png`) });
type Stats = { fps: number; frames: number; changed: number; grabMs: number[]; width: number; height: number; keysSent: number };
// globalThis, not window: this file is typechecked under the node config (no DOM types).
const stats = () => page.evaluate(() => (globalThis as unknown as { __benchtopScreen?: Stats }).__benchtopScreen ?? null);
/** Lit pixels of the LCD now, from the core (the same screendump the pane shows). */
const lit = async () => litPixels(decodePng(Buffer.from((await wb.server.core.input.grab(id)).base64, 'base64')));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

describe('Screen tab through the WebSocket door', () => {
  it('shows the LCD live at 5 frames/s or more once the session runs', async () => {
    id = await createSessionInUi(page, wb.server.url);
    await page.getByTestId('action-start').click();
    await expect.poll(() => page.getByTestId('session-state').innerText(), { timeout: 30_000 }).toMatch(/running/i);
    // The console prompt means /init is past starting the tty1 shell.
    await expect.poll(() => page.locator('[data-testid="terminal"] .xterm-rows').innerText(), { timeout: 60_000 }).toMatch(/benchtop:\/# /);
    await page.getByTestId('tab-screen').click();
    await expect.poll(async () => (await stats())?.frames ?? 0, { timeout: 10_000 }).toBeGreaterThan(3);
    const a = (await stats())!;
    const t0 = Date.now();
    await expect.poll(async () => (await stats())!.frames - a.frames, { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
    const b = (await stats())!;
    const fps = ((b.frames - a.frames) * 1000) / (Date.now() - t0);
    console.log(`[screen] ${fps.toFixed(1)} frames/s over ${b.frames - a.frames} frames; grab round trip (page) p50 ${pct(b.grabMs, 50).toFixed(1)} ms p95 ${pct(b.grabMs, 95).toFixed(1)} ms`);
    expect(fps).toBeGreaterThanOrEqual(5);
    expect(b).toMatchObject({ width: 240, height: 320 });
    await expect.poll(() => page.getByTestId('screen-fps').getAttribute('data-fps')).not.toBe('0');
    // Integer scale: the canvas is a whole multiple of 240×320, the largest that fits the pane.
    const fit = async () => {
      const c = (await page.getByTestId('screen-canvas').boundingBox())!;
      const pane = (await page.locator('.screen-box').boundingBox())!;
      const s = c.width / 240;
      expect(Number.isInteger(s)).toBe(true);
      expect(c.height).toBe(320 * s);
      expect((s + 1) * 240 > pane.width - 16 || (s + 1) * 320 > pane.height - 44).toBe(true);
      return s;
    };
    expect(await fit()).toBe(1); // 1400×860 with the log panel open: 2× does not fit
    await page.setViewportSize({ width: 1400, height: 1250 });
    await expect.poll(async () => (await page.getByTestId('screen-canvas').boundingBox())!.width).toBe(480);
    expect(await fit()).toBe(2);
    await expect.poll(() => page.getByTestId('screen-missing').innerText()).toMatch(/digits/);
  });

  it('click → Guest input mode; ls + Enter typed on the keyboard runs on tty1 and the LCD shows it', async () => {
    await expect.poll(() => page.getByTestId('screen-canvas').getAttribute('data-guest-input')).toBe('off');
    await page.getByTestId('screen-canvas').click();
    await expect.poll(() => page.getByTestId('screen-canvas').getAttribute('data-guest-input')).toBe('on');
    await expect.poll(() => page.getByTestId('screen-hint').innerText()).toMatch(/Ctrl\+Alt\+G/);
    const before = await lit();
    const changedBefore = (await stats())!.changed;
    await page.keyboard.type('ls', { delay: 40 });
    await page.keyboard.press('Enter', { delay: 40 });
    await expect.poll(async () => (await stats())!.keysSent).toBe(6);
    // ls of / prints a dozen names: many more lit pixels than a blinking cursor accounts for.
    await expect.poll(lit, { timeout: 15_000 }).toBeGreaterThan(before + 400);
    await expect.poll(async () => (await stats())!.changed, { timeout: 5000 }).toBeGreaterThan(changedBefore);
    await shot('typed');
    await page.getByTestId('screen-canvas').screenshot({ path: path.join(shotsDir, 'screen-lcd.png') });
  });

  it('a digit is flagged as not on the keypad; Ctrl+Alt+G leaves Guest input mode', async () => {
    await page.keyboard.press('Digit1');
    await expect.poll(() => page.getByTestId('screen-flash').innerText()).toMatch(/1 is not on the board keypad/);
    await shot('undeliverable');
    await page.keyboard.press('Control+Alt+KeyG');
    await expect.poll(() => page.getByTestId('screen-canvas').getAttribute('data-guest-input')).toBe('off');
    // Out of Guest input mode, keys stay with the page.
    const sent = (await stats())!.keysSent;
    await page.keyboard.press('KeyA');
    expect((await stats())!.keysSent).toBe(sent);
  });

  it('stops polling when another tab is shown', async () => {
    await page.getByTestId('tab-terminal').click();
    const a = (await stats())!.frames;
    // Condition, not a sleep: the console round trip below takes several poll intervals.
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo screen-idle\n');
    await expect.poll(() => page.locator('[data-testid="terminal"] .xterm-rows').innerText(), { timeout: 10_000 }).toMatch(/^screen-idle$/m);
    expect((await stats())!.frames).toBe(a);
  });

  it('the New session form offers the USB keyboard; such a session delivers every key', async () => {
    await page.getByTestId('new-session').click();
    await expect.poll(() => page.getByTestId('new-session-input-hint').innerText()).toMatch(/no digits/);
    await page.getByTestId('new-session-input').selectOption('usb-kbd');
    await expect.poll(() => page.getByTestId('new-session-input-hint').innerText()).toMatch(/digits included/);
    await page.getByTestId('new-session-name').fill('usb');
    await page.getByTestId('new-session-create').click();
    const row = page.locator('[data-testid="session-item"]').filter({ hasText: 'usb' });
    await expect.poll(() => row.getAttribute('aria-selected')).toBe('true');
    const usbId = (await row.getAttribute('data-session-id'))!;
    expect(wb.server.core.sessions.get(usbId).inputDevice).toBe('usb-kbd');
    await page.getByTestId('tab-screen').click();
    await expect.poll(() => page.getByTestId('screen-device').innerText()).toMatch(/USB keyboard/);
    expect(await page.getByTestId('screen-missing').count()).toBe(0);
    await expect.poll(() => page.getByTestId('screen-unavailable').innerText()).toMatch(/created now/);
  });
});
