/**
 * The monitor feature's part of the contract (src-shared/features/monitor.ts). Spread into
 * createServiceImpl (../api.ts); the dispatcher validates every input and output.
 */
import type { MethodOutput, MethodParsedInput } from '../../../src-shared/contract';
import type { monitorMethods } from '../../../src-shared/features/monitor';
import { BenchtopError } from '../../../src-shared/errors';
import type { Core } from '../core';
import { inspectView, readGuestMemory } from './hypervisor';

type MonitorMethodName = keyof typeof monitorMethods;
export type MonitorImpl = { [M in MonitorMethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };

export function createMonitorImpl(core: Core): MonitorImpl {
  const m = core.monitor;
  /** The run asked for, else the newest with samples, else the session's current run. */
  const runOf = (id: string, run: number | undefined) => run ?? m.store.latestRun(id) ?? core.sessions.get(id).runs;
  /** QMP of a session that is running or paused (the hypervisor views need a live QEMU). */
  const qemuOf = (id: string) => {
    const s = core.sessions.get(id);
    if (s.state !== 'running' && s.state !== 'paused') throw new BenchtopError('invalid-state', `session ${id} is ${s.state}: start it to inspect the hypervisor`);
    return core.sessions.qemu(id);
  };
  return {
    'monitor.state': async ({ id }) => m.state(id),
    'monitor.configure': async ({ id, rateHz, procRateHz }) => m.configure(id, rateHz, procRateHz),
    'monitor.runs': async ({ id }) => {
      core.sessions.get(id);
      m.flush(id);
      return m.store.runs(id);
    },
    'monitor.series': async ({ id, run, from, to, maxPoints }) => {
      core.sessions.get(id);
      m.flush(id);
      const r = runOf(id, run);
      return { run: r, points: m.store.points(id, r, from, to, maxPoints), irqLines: m.store.irqLines(id, r), procTimes: m.store.procTimes(id, r) };
    },
    'monitor.procs': async ({ id, run, at }) => {
      core.sessions.get(id);
      if (run === undefined && at === undefined) {
        const latest = m.latestProcs(id);
        if (latest) return { ...latest, run: m.state(id).run };
      }
      m.flush(id);
      const r = runOf(id, run);
      const snap = m.store.snapshot(id, r, at);
      return snap ? { ...snap, run: r } : null;
    },
    'inspect.view': async ({ id, view }) => inspectView(qemuOf(id).qmpClient, view),
    'inspect.memory': async ({ id, space, address, length }) => {
      const q = qemuOf(id);
      const data = await readGuestMemory(q.qmpClient, q.runtimeDir, space, address, length);
      return { space, address, base64: data.toString('base64') };
    },
  };
}
