import { beforeEach, describe, expect, it } from 'vitest';
import type { MonitorState } from '../../../../src-shared/features/monitor';
import { BenchtopError } from '../../../../src-shared/errors';
import { useErrors } from '../status/errorsStore';
import type { MonitorApi, MonitorEventName, MonitorEventPayload, RunInfo, SeriesResult } from './monitorApi';
import { MonitorSession } from './monitorSession';
import { point, proc } from './testPoints';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

const state = (patch: Partial<MonitorState> = {}): MonitorState => ({
  sessionId: 's1',
  run: 2,
  active: true,
  rateHz: 10,
  procRateHz: 1,
  samples: 3,
  irqLines: [{ id: '25', name: 'SC 25 Level mmc' }],
  reason: null,
  ...patch,
});

const runInfo = (run: number, samples = 3): RunInfo => ({ run, from: 0, to: 1, samples, procSnapshots: 1 });

/** The contract as the pane reaches it, with answers the test controls. */
class FakeMonitorApi implements MonitorApi {
  calls: [string, unknown][] = [];
  listeners = new Map<string, Set<(p: never) => void>>();
  stateAnswer: () => Promise<MonitorState> = async () => state();
  runsAnswer: () => Promise<RunInfo[]> = async () => [runInfo(1), runInfo(2)];
  seriesAnswer: (input: { run?: number }) => Promise<SeriesResult> = async (i) => ({
    run: i.run ?? 2,
    points: [point(1000), point(2000), point(3000)],
    irqLines: [{ id: '25', name: 'SC 25 Level mmc' }],
    procTimes: [1500, 2500],
  });
  procsAnswer: (input: { at?: number }) => Promise<{ t: number; run: number; procs: ReturnType<typeof proc>[] } | null> = async (i) => ({
    t: i.at ?? 2500,
    run: 2,
    procs: [proc(100)],
  });
  signalAnswer: () => Promise<void> = async () => {};

  private log<T>(name: string, input: unknown, answer: () => Promise<T>): Promise<T> {
    this.calls.push([name, input]);
    return answer();
  }
  state = (i: { id: string }) => this.log('monitor.state', i, this.stateAnswer);
  configure = async (i: { id: string; rateHz: number }) => this.log('monitor.configure', i, async () => state({ rateHz: i.rateHz }));
  runs = (i: { id: string }) => this.log('monitor.runs', i, this.runsAnswer);
  series = (i: { id: string; run?: number; maxPoints?: number }) => this.log('monitor.series', i, () => this.seriesAnswer(i));
  procs = (i: { id: string; run?: number; at?: number }) => this.log('monitor.procs', i, () => this.procsAnswer(i));
  view = async () => ({ view: 'irq' as const, supported: true, text: '' });
  memory = async () => ({ space: 'physical' as const, address: 0, base64: '' });
  signal = (i: { id: string; pid: number; signal: string }) => this.log('proc.signal', i, this.signalAnswer);
  on<E extends MonitorEventName>(event: E, listener: (payload: MonitorEventPayload<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as (p: never) => void);
    return () => set.delete(listener as (p: never) => void);
  }
  emit<E extends MonitorEventName>(event: E, payload: MonitorEventPayload<E>): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: MonitorEventPayload<E>) => void)(payload);
  }
}

let api: FakeMonitorApi;
beforeEach(() => {
  api = new FakeMonitorApi();
  useErrors.getState().clear();
});

describe('MonitorSession, live', () => {
  it('loads the backlog, then appends events and drops the overlap by time', async () => {
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    let draws = 0;
    m.onData(() => draws++);
    m.open();
    await flush();
    expect(api.calls.map((c) => c[0])).toEqual(['monitor.state', 'monitor.runs', 'monitor.series', 'monitor.procs']);
    expect(api.calls[2]![1]).toMatchObject({ id: 's1', run: 2 });
    expect(m.buffer.size).toBe(3);
    api.emit('monitor.samples', { sessionId: 's1', run: 2, points: [point(3000), point(4000)] });
    expect([...m.buffer.times()]).toEqual([1, 2, 3, 4]);
    expect(draws).toBeGreaterThanOrEqual(2);
    expect(m.samplesCount()).toBe(4); // 3 counted by the state + 1 new
  });

  it('parks events that arrive while the backlog loads', async () => {
    const series = deferred<SeriesResult>();
    api.seriesAnswer = () => series.promise;
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    m.open();
    await flush();
    api.emit('monitor.samples', { sessionId: 's1', run: 2, points: [point(3000), point(4000)] });
    expect(m.buffer.size).toBe(0);
    series.resolve({ run: 2, points: [point(1000), point(2000), point(3000)], irqLines: [], procTimes: [] });
    await flush();
    expect([...m.buffer.times()]).toEqual([1, 2, 3, 4]);
  });

  it('ignores other sessions and older runs; a newer run starts empty', async () => {
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    m.open();
    await flush();
    api.emit('monitor.samples', { sessionId: 's2', run: 2, points: [point(9000)] });
    api.emit('monitor.samples', { sessionId: 's1', run: 1, points: [point(9000)] });
    expect(m.buffer.size).toBe(3);
    api.emit('monitor.samples', { sessionId: 's1', run: 3, points: [point(500)] });
    expect(m.view.run).toBe(3);
    expect([...m.buffer.times()]).toEqual([0.5]);
  });

  it('follows the newest process snapshot unless the table is pinned to a time', async () => {
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    m.open();
    await flush();
    api.emit('monitor.procs', { sessionId: 's1', run: 2, t: 3500, procs: [proc(7)] });
    expect(m.view.table?.procs.map((p) => p.pid)).toEqual([7]);
    expect(m.view.procTimes).toEqual([1500, 2500, 3500]);
    await m.loadTable(1600);
    expect(api.calls.at(-1)).toEqual(['monitor.procs', { id: 's1', run: 2, at: 1600 }]);
    expect(m.view.pinnedAt).toBe(1600);
    api.emit('monitor.procs', { sessionId: 's1', run: 2, t: 4500, procs: [proc(8)] });
    expect(m.view.table?.procs.map((p) => p.pid)).toEqual([100]);
    expect(m.view.procTimes.at(-1)).toBe(4500);
  });

  it('drops a table answer superseded by a newer request', async () => {
    const slow = deferred<null>();
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    m.open();
    await flush();
    api.procsAnswer = () => slow.promise;
    const first = m.loadTable(1000);
    api.procsAnswer = async (i) => ({ t: i.at!, run: 2, procs: [proc(55)] });
    await m.loadTable(2000);
    slow.resolve(null);
    await first;
    expect(m.view.table?.procs.map((p) => p.pid)).toEqual([55]);
  });

  it('says why when the core has no monitor, and still shows what the events bring', async () => {
    api.stateAnswer = async () => {
      throw new BenchtopError('bad-request', 'unknown method monitor.state');
    };
    api.runsAnswer = async () => {
      throw new BenchtopError('bad-request', 'unknown method monitor.runs');
    };
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    m.open();
    await flush();
    expect(m.view.stateError).toMatch(/unknown method/);
    expect(m.view.loading).toBe(false);
    api.emit('monitor.samples', { sessionId: 's1', run: 1, points: [point(1000)] });
    expect(m.buffer.size).toBe(1);
  });

  it('sets the rate and reports a refusal in the error toasts', async () => {
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    await m.configure(20);
    expect(m.view.state?.rateHz).toBe(20);
    api.configure = async () => {
      throw new BenchtopError('invalid-state', 'the session is not running');
    };
    await m.configure(50);
    expect(useErrors.getState().errors[0]).toMatchObject({ title: 'Set the sampling rate to 50 Hz', message: 'the session is not running' });
  });

  it('sends signals through proc.signal and reports failures', async () => {
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    expect(await m.signal(120, 'SIGSTOP')).toBe(true);
    expect(api.calls.at(-1)).toEqual(['proc.signal', { id: 's1', pid: 120, signal: 'SIGSTOP' }]);
    api.signalAnswer = async () => {
      throw new BenchtopError('not-found', 'no process 120');
    };
    expect(await m.signal(120, 'SIGKILL')).toBe(false);
    expect(useErrors.getState().errors[0]).toMatchObject({ title: 'Kill process 120', message: 'no process 120' });
  });

  it('stops listening when closed', async () => {
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    m.open();
    await flush();
    m.close();
    api.emit('monitor.samples', { sessionId: 's1', run: 2, points: [point(9000)] });
    expect(m.buffer.size).toBe(3);
  });
});

describe('MonitorSession, recorded', () => {
  it('a stopped session shows its latest run and the table at its last snapshot', async () => {
    const m = new MonitorSession(api, 's1', { sessionLive: false, capacity: 100 });
    m.open();
    await flush();
    expect(api.calls.map((c) => c[0])).toEqual(['monitor.runs', 'monitor.series', 'monitor.procs']);
    expect(m.view.live).toBe(false);
    expect(m.view.run).toBe(2);
    expect(api.calls[2]![1]).toEqual({ id: 's1', run: 2, at: 2500 });
    // Events of a session not followed change nothing.
    api.emit('monitor.samples', { sessionId: 's1', run: 2, points: [point(9000)] });
    expect(m.buffer.size).toBe(3);
    expect(m.samplesCount()).toBe(3);
  });

  it('picking an older run loads it; picking live again follows the session', async () => {
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    m.open();
    await flush();
    m.selectRun(1);
    await flush();
    expect(m.view.live).toBe(false);
    expect(api.calls.filter((c) => c[0] === 'monitor.series').at(-1)![1]).toMatchObject({ run: 1 });
    m.selectRun(null);
    await flush();
    expect(m.view.live).toBe(true);
  });

  it('a run with more points than the capacity gets a buffer that holds them all', async () => {
    api.seriesAnswer = async () => ({ run: 2, points: Array.from({ length: 150 }, (_, i) => point(1000 + i)), irqLines: [], procTimes: [] });
    const m = new MonitorSession(api, 's1', { sessionLive: false, capacity: 100 });
    m.open();
    await flush();
    expect(m.buffer.size).toBe(150);
  });

  it('a session that stops keeps its charts as a recording', async () => {
    const m = new MonitorSession(api, 's1', { sessionLive: true, capacity: 100 });
    m.open();
    await flush();
    m.setSessionLive(false);
    expect(m.view.live).toBe(false);
    expect(m.buffer.size).toBe(3);
    api.emit('monitor.samples', { sessionId: 's1', run: 2, points: [point(9000)] });
    expect(m.buffer.size).toBe(3);
  });
});
