import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootToPrompt, liveCore, PROMPT, waitForState } from '../../../test/live-core';
import type { Core } from '../core';
import { runConsoleCommand } from './console-commands';

let core: Core;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ core, dispose } = await liveCore());
});
afterAll(async () => dispose?.());

const sh = (id: string, cmd: string) => runConsoleCommand(core.sessions, id, cmd, { timeoutMs: 30_000 });

describe('a real mainstone session', () => {
  let id: string;

  it('boots to a shell and answers uname', async () => {
    id = await bootToPrompt(core, 'uname');
    expect((await sh(id, 'uname -m')).output.trim()).toBe('armv5tel');
    expect((await sh(id, 'uname -r')).output.trim()).toMatch(/^6\.1\.\d+/);
    const s = core.sessions.get(id);
    expect(s.state).toBe('running');
    expect(s.gdbPort).toBeGreaterThan(0);
  });

  it('pause stops the guest (QMP says paused, the console goes silent); resume continues', async () => {
    // A ticker in the guest prints a line every 50 ms.
    core.sessions.writeConsole(id, 'i=0; while true; do i=$((i+1)); echo tick-$i; usleep 50000; done &\n');
    const log = core.sessions.console(id);
    await log.waitFor(/tick-3\r?\n/, { timeoutMs: 10_000, from: 0 });
    await core.sessions.pause(id);
    expect(core.sessions.get(id).state).toBe('paused');
    const status = await core.sessions.qemu(id).qmpClient.execute<{ running: boolean; status: string }>('query-status');
    expect(status).toMatchObject({ running: false, status: 'paused' });
    const before = log.offset;
    // An observation window, not a synchronisation sleep: 20 ticks would arrive if the guest ran.
    await new Promise((r) => setTimeout(r, 1000));
    expect(log.offset).toBe(before);
    const resumedAt = log.charEnd;
    await core.sessions.resume(id);
    await log.waitFor(/tick-\d+\r?\n/, { timeoutMs: 5000, from: resumedAt });
    expect(core.sessions.get(id).state).toBe('running');
    core.sessions.writeConsole(id, 'kill %1\n');
  });

  it('reset reboots the guest to a fresh prompt', async () => {
    const log = core.sessions.console(id);
    const from = log.charEnd;
    await core.sessions.reset(id);
    await log.waitFor(/Booting Linux|Linux version 6\.1/, { timeoutMs: 30_000, from });
    await log.waitFor(PROMPT, { timeoutMs: 60_000, from });
    expect((await sh(id, 'echo after-reset')).output.trim()).toBe('after-reset');
    expect(core.sessions.history(id).map((e) => e.kind)).toContain('reset');
  });

  it('kill -9 of QEMU → crashed within 1 s, with exit info, and the transcript is saved', async () => {
    await sh(id, 'echo before-the-crash');
    const pid = core.sessions.qemu(id).pid!;
    const crashed = waitForState(core, id, 'crashed', 5000);
    const t0 = performance.now();
    process.kill(pid, 'SIGKILL');
    await crashed;
    expect(performance.now() - t0).toBeLessThan(1000);
    const s = core.sessions.get(id);
    expect(s.exit).toMatchObject({ signal: 'SIGKILL', code: null });
    expect(s.error).toMatch(/unexpectedly/);
    const t = core.sessions.transcript(id, 1 << 20);
    expect(t.data).toContain('before-the-crash');
    expect(t.data).toContain('Linux version 6.1');
  });

  it('a stopped session can be started again and keeps its earlier history', async () => {
    await core.sessions.start(id);
    const log = core.sessions.console(id);
    await log.waitFor(PROMPT, { timeoutMs: 60_000, from: 0 });
    await core.sessions.stop(id);
    const s = core.sessions.get(id);
    expect(s).toMatchObject({ state: 'stopped', runs: 2 });
    expect(s.exit?.code).toBe(0);
    expect(core.sessions.transcript(id, 1 << 22).data).toContain('before-the-crash');
  });

  it('runs two sessions side by side without clashing', async () => {
    const [a, b] = await Promise.all([bootToPrompt(core, 'left'), bootToPrompt(core, 'right')]);
    const [ra, rb] = await Promise.all([sh(a, 'echo left-$((6*7))'), sh(b, 'echo right-$((6*8))')]);
    expect(ra.output.trim()).toBe('left-42');
    expect(rb.output.trim()).toBe('right-48');
    const qa = core.sessions.qemu(a);
    const qb = core.sessions.qemu(b);
    expect(qa.gdbPort).not.toBe(qb.gdbPort);
    expect(qa.runtimeDir).not.toBe(qb.runtimeDir);
    await Promise.all([core.sessions.stop(a), core.sessions.stop(b)]);
    expect(core.sessions.transcript(a, 1 << 20).data).toContain('left-42');
    expect(core.sessions.transcript(a, 1 << 20).data).not.toContain('right-48');
  });
});
