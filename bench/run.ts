/**
 * `npm run bench`: measures the figures the issues set targets for and writes
 * bench/results/latest.json (and a dated copy): {"machine","date","figures":{NAME:{value,unit,…}}}.
 *
 * `npm run bench -- --only monitor,agent` runs some groups (boot, qmp, agent, monitor) and
 * merges their figures into latest.json, keeping the others (each figure carries its date).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../src-main/core/core';
import { mainstone } from '../src-main/core/boards/profiles';
import { runConsoleCommand } from '../src-main/core/sessions/console-commands';
import { readHostCpu, stealPct } from '../src-main/core/util/host-cpu';
import { measureAgent } from './agent';
import { measureMonitor } from './monitor';
import { measureReplay } from './replay';
import { machineInfo, median, percentile } from './machine';

type Figure = { value: number; unit: string; target?: string; note?: string; samples?: number };
const figures: Record<string, Figure> = {};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const prompt = new RegExp(mainstone.promptPattern, 'm');

const GROUPS = ['boot', 'qmp', 'agent', 'monitor', 'replay'] as const;
type Group = (typeof GROUPS)[number];
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? '').split(',').filter(Boolean) : [...GROUPS];
for (const g of only) if (!GROUPS.includes(g as Group)) throw new Error(`--only: unknown group '${g}' (groups: ${GROUPS.join(', ')})`);
const runs = (g: Group) => only.includes(g);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-bench-'));
const core = createCore({ workspace: path.join(dir, 'workspace') });
try {
  await core.ensureImage('mainstone');

  // Boot: Start → shell prompt, 5 times.
  if (runs('boot')) {
    const boots: number[] = [];
    const cpuBefore = readHostCpu();
    for (let i = 0; i < 5; i++) {
      const s = core.sessions.create({ board: 'mainstone', name: `boot ${i}` });
      const t0 = performance.now();
      await core.sessions.start(s.id);
      await core.sessions.console(s.id).waitFor(prompt, { timeoutMs: 60_000, from: 0 });
      boots.push((performance.now() - t0) / 1000);
      await core.sessions.stop(s.id);
    }
    // On a shared VM the hypervisor's steal moves this figure by a second (2.47 s at 0.6 %, 3.41 s busier).
    const steal = stealPct(cpuBefore, readHostCpu());
    const stolen = steal === null ? '' : `; host CPU stolen by the hypervisor meanwhile: ${round(steal, 1)} %`;
    figures.boot_to_prompt_s = { value: round(median(boots)), unit: 's', target: '<= 3', samples: boots.length, note: `runs: ${boots.map((b) => round(b, 2)).join(', ')}${stolen}` };
  }

  // QMP round trips: idle guest, then guest running a CPU-bound loop.
  if (runs('qmp')) {
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
  }

  // Target agent (issue 3): ping, ping while a debuggee loops, put/get throughput, idle CPU.
  if (runs('agent')) Object.assign(figures, await measureAgent(core, { onProgress: (l) => console.error(l) }));

  // Resource monitor (issue 4): the agent's sampling cost, one chart redraw, sample → screen.
  if (runs('monitor')) Object.assign(figures, await measureMonitor(core, { onProgress: (l) => console.error(l) }));

  // Event manager (issue 5): replay timing on the host and in the guest, timeline editing.
  if (runs('replay')) Object.assign(figures, await measureReplay({ onProgress: (l) => console.error(l) }));
} finally {
  await core.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

const date = new Date().toISOString();
for (const f of Object.values(figures)) (f as Figure & { date?: string }).date = date;
const outDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'results');
fs.mkdirSync(outDir, { recursive: true });
// A partial run keeps the figures it did not measure from the previous latest.json.
let previous: Record<string, Figure> = {};
if (only.length < GROUPS.length) {
  try {
    previous = (JSON.parse(fs.readFileSync(path.join(outDir, 'latest.json'), 'utf8')) as { figures: Record<string, Figure> }).figures;
  } catch {
    previous = {};
  }
}
const result = { machine: machineInfo(), date, groups: only, figures: { ...previous, ...figures } };
fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
fs.writeFileSync(path.join(outDir, `${date.slice(0, 10)}-${result.machine.hostname}.json`), JSON.stringify(result, null, 2) + '\n');
for (const [k, v] of Object.entries(result.figures)) console.log(`${k.padEnd(24)} ${String(v.value).padStart(10)} ${v.unit}${v.target ? `   (target ${v.target})` : ''}`);
