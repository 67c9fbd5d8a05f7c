/**
 * `npm run bench`: measures the figures the issues set targets for and writes
 * bench/results/latest.json (and a dated copy): {"machine","date","figures":{NAME:{value,unit,…}}}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../src-main/core/core';
import { mainstone } from '../src-main/core/boards/profiles';
import { runConsoleCommand } from '../src-main/core/sessions/console-commands';
import { measureAgent } from './agent';
import { machineInfo, median, percentile } from './machine';

type Figure = { value: number; unit: string; target?: string; note?: string; samples?: number };
const figures: Record<string, Figure> = {};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const prompt = new RegExp(mainstone.promptPattern, 'm');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-bench-'));
const core = createCore({ workspace: path.join(dir, 'workspace') });
try {
  await core.ensureImage('mainstone');

  // Boot: Start → shell prompt, 5 times.
  const boots: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = core.sessions.create({ board: 'mainstone', name: `boot ${i}` });
    const t0 = performance.now();
    await core.sessions.start(s.id);
    await core.sessions.console(s.id).waitFor(prompt, { timeoutMs: 60_000, from: 0 });
    boots.push((performance.now() - t0) / 1000);
    await core.sessions.stop(s.id);
  }
  figures.boot_to_prompt_s = { value: round(median(boots)), unit: 's', target: '<= 3', samples: boots.length, note: `runs: ${boots.map((b) => round(b, 2)).join(', ')}` };

  // QMP round trips: idle guest, then guest running a CPU-bound loop.
  const s = core.sessions.create({ board: 'mainstone', name: 'qmp rtt' });
  await core.sessions.start(s.id);
  await core.sessions.console(s.id).waitFor(prompt, { timeoutMs: 60_000, from: 0 });
  const qmp = core.sessions.qemu(s.id).qmpClient;
  const rtt = async (n: number) => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await qmp.execute('query-status');
      xs.push(performance.now() - t);
    }
    return xs.sort((a, b) => a - b);
  };
  await rtt(50); // warm-up
  const idle = await rtt(1000);
  await runConsoleCommand(core.sessions, s.id, 'while :; do :; done &', { timeoutMs: 10_000 });
  const busy = await rtt(1000);
  const all = [...idle, ...busy].sort((a, b) => a - b);
  figures.qmp_rtt_ms_p50 = { value: round(percentile(all, 50)), unit: 'ms', target: '<= 2', samples: all.length, note: `idle p50 ${round(percentile(idle, 50))}, busy p50 ${round(percentile(busy, 50))}` };
  figures.qmp_rtt_ms_p99 = { value: round(percentile(all, 99)), unit: 'ms', target: '<= 10', samples: all.length, note: `idle p99 ${round(percentile(idle, 99))}, busy p99 ${round(percentile(busy, 99))}` };
  figures.qmp_rtt_idle_ms_p99 = { value: round(percentile(idle, 99)), unit: 'ms', samples: idle.length };
  figures.qmp_rtt_busy_ms_p99 = { value: round(percentile(busy, 99)), unit: 'ms', samples: busy.length };
  await core.sessions.stop(s.id);

  // Target agent (issue 3): ping, ping while a debuggee loops, put/get throughput, idle CPU.
  Object.assign(figures, await measureAgent(core, { onProgress: (l) => console.error(l) }));
} finally {
  await core.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

const date = new Date().toISOString();
const result = { machine: machineInfo(), date, figures };
const outDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'results');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
fs.writeFileSync(path.join(outDir, `${date.slice(0, 10)}-${result.machine.hostname}.json`), JSON.stringify(result, null, 2) + '\n');
for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(24)} ${String(v.value).padStart(10)} ${v.unit}${v.target ? `   (target ${v.target})` : ''}`);
