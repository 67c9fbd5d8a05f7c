/** `benchtop top` / `benchtop monitor` as a user runs them: the real CLI on a headless session. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const execFileP = promisify(execFile);
const bin = path.join(__dirname, '..', '..', 'bin', 'benchtop.mjs');
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-cli-mon-'));
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

/** stdout of a CLI run; a failure says what the CLI printed on stderr. */
async function cli(args: string[]): Promise<string> {
  try {
    return (await execFileP('node', [bin, ...args, '--workspace', workspace], { timeout: 180_000 })).stdout;
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    throw new Error(`benchtop ${args.join(' ')} failed (exit ${err.code}):\n${err.stderr?.slice(-2000)}`);
  }
}

describe('benchtop top / monitor --boot', () => {
  it('top --once --json prints the guest process table with the agent and init in it', async () => {
    const stdout = await cli(['top', '--once', '--json', '--boot']);
    const table = JSON.parse(stdout) as { t: number; procs: { pid: number; cmdline: string; user: string; cpuPct: number }[] };
    expect(table.procs.find((p) => p.pid === 1)?.cmdline).toContain('/init');
    expect(table.procs.some((p) => p.cmdline.includes('benchtop-agent'))).toBe(true);
    expect(table.procs.every((p) => p.cpuPct >= 0 && p.cpuPct <= 100)).toBe(true);
    expect(table.procs[0]!.user).toBe('root');
  }, 200_000);

  it('monitor --csv streams rows at the asked rate for the asked time', async () => {
    const stdout = await cli(['monitor', '--csv', '--boot', '--rate', '5', '--duration', '3']);
    const [header, ...rows] = stdout.trim().split('\n');
    expect(header).toMatch(/^t_ms,cpu_user_pct,/);
    expect(rows.length).toBeGreaterThanOrEqual(10); // 5 Hz for 3 s, minus start-up slack
    expect(rows.length).toBeLessThanOrEqual(20);
    for (const r of rows) expect(r.split(',').length).toBe(header!.split(',').length);
  }, 200_000);

  it('a session id that does not exist in the workbench is a clear error', async () => {
    const r = await execFileP('node', [bin, 'top', '--once', '--url', 'http://127.0.0.1:9/?token=x', '--session', 'abc']).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(1);
    expect((r as { stderr: string }).stderr).toMatch(/cannot reach http:\/\/127.0.0.1:9/);
  });
});
