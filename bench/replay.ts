/**
 * Event manager figures (issue 5):
 *   replay_inject_err_ms_p50/p99  |injected − scheduled| over 1,000 key events replayed into a
 *                                 running mainstone VM (host side: injected = the middle of the
 *                                 event's QMP round trip); target p99 ≤ 2 ms
 *   replay_guest_err_ms_p99       guest-observed interval − recorded interval between consecutive
 *                                 keys (the agent's /dev/input timestamps); target ≤ 5 ms
 *   timeline_edit_frame_ms_10k    one frame of a drag with 10,000 events (bench/timeline-edit.ts)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RECORDING_FORMAT, RECORDING_VERSION, type RecordingDoc } from '../src-shared/features/recording';
import { inProcessApi } from '../src-main/core/api';
import { createCore } from '../src-main/core/core';
import { mainstone } from '../src-main/core/boards/profiles';
import { benchTimelineEdit } from './timeline-edit';

type Figure = { value: number; unit: string; target?: string; note?: string; samples?: number };
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * 1,000 key events: 500 taps of keypad letters, press and release 50 ms apart — a fast typist
 * (10 key events a second). Closer than the keypad's 15 ms minimum gap (docs/input.md) the
 * input path would stretch the recording itself, and that is not what this figure measures.
 */
export function syntheticRecording(events = 1000, gapUs = 50_000): RecordingDoc {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    name: `bench ${events} keys`,
    createdAt: new Date().toISOString(),
    source: { sessionId: null, board: 'mainstone', inputDevice: 'keypad' },
    speed: 1,
    events: Array.from({ length: events }, (_, i) => ({ id: `k${i}`, t: i * gapUs, kind: 'key' as const, key: letters[Math.floor(i / 2) % 26]!, down: i % 2 === 0 })),
  };
}

export async function measureReplay(o: { onProgress?: (line: string) => void } = {}): Promise<Record<string, Figure>> {
  const figures: Record<string, Figure> = {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-bench-replay-'));
  const core = createCore({ workspace: path.join(dir, 'workspace') });
  try {
    await core.ensureImage('mainstone');
    const api = inProcessApi(core);
    const s = core.sessions.create({ board: 'mainstone', name: 'bench replay' });
    await core.sessions.start(s.id);
    await core.sessions.console(s.id).waitFor(new RegExp(mainstone.promptPattern, 'm'), { timeoutMs: 90_000, from: 0 });
    await core.agents.waitReady(s.id, 60_000).catch(() => undefined);
    const rec = await api.recordings.import({ text: JSON.stringify(syntheticRecording()) });
    // Three replays of the 1,000 events back to back into the same VM: one replay's p99 is
    // decided by its ten worst keys, which one host hiccup can supply; the figure is the median
    // replay, and the note shows all three.
    const RUNS = 3;
    o.onProgress?.(`[bench] replay: 1,000 key events into a running VM, ${RUNS} times`);
    const infos = await api.replay.start({ recordingId: rec.recordingId, id: s.id, repeat: RUNS });
    const ids = infos.map((i) => i.replayId);
    await new Promise<void>((resolve) => {
      const ended = new Set<string>();
      const off = api.on('replay.changed', (i) => {
        if (ids.includes(i.replayId) && ['done', 'failed', 'cancelled'].includes(i.state)) ended.add(i.replayId);
        if (ended.size === ids.length) {
          off();
          resolve();
        }
      });
    });
    const reports = await Promise.all(ids.map((replayId) => api.replay.report({ replayId })));
    for (const r of reports) if (r.replay.state !== 'done') throw new Error(`bench replay ended ${r.replay.state}: ${r.replay.error}`);
    const byP99 = [...reports].sort((a, b) => a.stats.injectErrUsP99! - b.stats.injectErrUsP99!);
    const report = byP99[Math.floor(RUNS / 2)]!;
    const all = (f: (r: (typeof reports)[number]) => number | null) => reports.map((r) => (f(r) === null ? '—' : round(f(r)! / 1000, 2))).join(' / ');
    const n = report.events.filter((e) => e.injectedUs !== null).length;
    const comp = report.stats.compensationUs === null ? 'none' : `${round(report.stats.compensationUs / 1000)} ms`;
    const how = `keys via ${report.stats.keyPath ?? 'qmp'}, ${report.stats.tracedKeys ?? 0}/${n} with QEMU's own injection time`;
    figures.replay_inject_err_ms_p50 = { value: round(report.stats.injectErrUsP50! / 1000), unit: 'ms', samples: n, note: `|injected − scheduled| of the median of ${RUNS} replays (${all((r) => r.stats.injectErrUsP50)}), lead ${comp}, ${how}` };
    const steal = reports.map((r) => (r.stats.hostStealPct === undefined ? '—' : `${round(r.stats.hostStealPct, 1)} %`)).join(' / ');
    figures.replay_inject_err_ms_p99 = {
      value: round(report.stats.injectErrUsP99! / 1000),
      unit: 'ms',
      target: '<= 2',
      samples: n,
      note: `median of ${RUNS} replays: ${all((r) => r.stats.injectErrUsP99)}; host CPU stolen by the hypervisor during each: ${steal}`,
    };
    if (report.stats.hostStealPct !== undefined) {
      figures.replay_host_steal_pct = { value: round(report.stats.hostStealPct, 2), unit: '%', note: `/proc/stat steal during the median replay (all ${RUNS}: ${steal}); the injection tail follows it` };
    }
    if (report.stats.guestErrUsP99 !== null) {
      figures.replay_guest_err_ms_p99 = {
        value: round(report.stats.guestErrUsP99 / 1000),
        unit: 'ms',
        target: '<= 5',
        samples: report.events.filter((e) => e.guestUs !== null).length,
        note: `the same replay; all ${RUNS}: ${all((r) => r.stats.guestErrUsP99)}`,
      };
    }
  } finally {
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  o.onProgress?.('[bench] replay: timeline drag frame with 10,000 events');
  const t = await benchTimelineEdit();
  figures.timeline_edit_frame_ms_10k = { value: round(t.timeline_edit_frame_ms_10k), unit: 'ms', target: '<= 16', note: 'one drag frame: 1,000 of 10,000 events moved + redraw, Chromium, median of 60' };
  return figures;
}
