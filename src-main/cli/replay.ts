/**
 * `benchtop replay REC (--url URL --session ID | --boot [--board ID]) [--repeat N] [--speed X] [--report out.json]`
 * Replay a recording (a .btrec.json file, or a recording id of the workbench with --url) into a
 * session N times and write the reports — the replay as a benchmark, for CI (E3, E4).
 * Exits 1 if a replay failed or was cancelled.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseRecording } from '../../src-shared/features/recording';
import type { ReplayInfo, ReplayReport } from '../../src-shared/features/replay';
import { BenchtopError } from '../../src-shared/errors';
import type { Api } from '../../src-shared/transport';
import { inProcessApi } from '../core/api';
import { parseTimeout, withHeadlessSession } from './headless';
import { connectRemote } from './remote';

export const REPLAY_USAGE = `  replay  replay a recording into a session N times and write the reports (JSON)
          REC (a .btrec.json file, or with --url a recording id)  --repeat N (default 1)  --speed X
          --report FILE (default: stdout)  and either --url URL --session ID  or  --boot [--board ID]
`;

const fmtMs = (us: number | null) => (us === null ? '—' : `${(us / 1000).toFixed(2)} ms`);

async function replayOn(api: Api, id: string, rec: { recordingId?: string; text?: string }, repeat: number, speed: number | undefined, timeoutMs: number): Promise<ReplayReport[]> {
  const recordingId = rec.recordingId ?? (await api.recordings.import({ text: rec.text! })).recordingId;
  const done = new Map<string, ReplayInfo>();
  let wanted: string[] = [];
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchtopError('timeout', `replays not finished within ${timeoutMs / 1000} s`)), timeoutMs);
    const off = api.on('replay.changed', (i) => {
      if (i.state === 'done' || i.state === 'failed' || i.state === 'cancelled') done.set(i.replayId, i);
      if (wanted.length && wanted.every((w) => done.has(w))) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
  const infos = await api.replay.start({ recordingId, id, repeat, speed });
  wanted = infos.map((i) => i.replayId);
  // Replays may all have finished before `wanted` was known.
  for (const i of await api.replay.list({ recordingId, id })) if (wanted.includes(i.replayId) && ['done', 'failed', 'cancelled'].includes(i.state)) done.set(i.replayId, i);
  if (!wanted.every((w) => done.has(w))) await finished;
  const reports: ReplayReport[] = [];
  for (const w of wanted) {
    const r = await api.replay.report({ replayId: w });
    reports.push(r);
    process.stderr.write(`[replay ${r.replay.iteration}/${r.replay.of}] ${r.replay.state}: ${r.replay.injected}/${r.replay.total} injected, error p50 ${fmtMs(r.stats.injectErrUsP50)} p99 ${fmtMs(r.stats.injectErrUsP99)}, guest p99 ${fmtMs(r.stats.guestErrUsP99)}\n`);
  }
  return reports;
}

export async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      session: { type: 'string' },
      boot: { type: 'boolean', default: false },
      board: { type: 'string', default: 'mainstone' },
      workspace: { type: 'string' },
      timeout: { type: 'string', default: '600' },
      repeat: { type: 'string', default: '1' },
      speed: { type: 'string' },
      report: { type: 'string' },
    },
  });
  const [rec] = positionals;
  if (!rec) throw new BenchtopError('bad-request', `which recording? ${REPLAY_USAGE.trim()}`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) throw new BenchtopError('bad-request', '--repeat must be 1 … 1000');
  const speed = values.speed === undefined ? undefined : Number(values.speed);
  if (speed !== undefined && !(speed >= 0.05 && speed <= 20)) throw new BenchtopError('bad-request', '--speed must be 0.05 … 20');
  const timeoutMs = parseTimeout(values.timeout);
  const source: { recordingId?: string; text?: string } = {};
  if (fs.existsSync(rec)) {
    const text = fs.readFileSync(rec, 'utf8');
    const parsed = parseRecording(text);
    if (!parsed.ok) throw new BenchtopError('bad-request', `${rec}: ${parsed.error}`);
    source.text = text;
  } else if (/^r[0-9a-f]{8}$/.test(rec) && values.url) {
    source.recordingId = rec;
  } else {
    throw new BenchtopError('missing-file', `no such recording file: ${path.resolve(rec)}${values.url ? '' : ' (a recording id needs --url)'}`);
  }
  let reports: ReplayReport[];
  if (values.url) {
    if (values.boot) throw new BenchtopError('bad-request', 'give either --url (a workbench session) or --boot (a headless one), not both');
    if (!values.session) throw new BenchtopError('bad-request', '--url needs --session ID');
    const remote = await connectRemote(values.url);
    try {
      reports = await replayOn(remote.api, values.session, source, repeat, speed, timeoutMs);
    } finally {
      remote.close();
    }
  } else if (values.boot) {
    reports = await withHeadlessSession({ board: values.board!, workspace: values.workspace, timeoutMs: 120_000, keep: false, name: 'replay' }, (core, id) =>
      replayOn(inProcessApi(core), id, source, repeat, speed, timeoutMs),
    );
  } else {
    throw new BenchtopError('bad-request', 'give --url URL --session ID (a running workbench) or --boot (a headless session)');
  }
  const json = JSON.stringify(reports, null, 2) + '\n';
  if (values.report) fs.writeFileSync(values.report, json);
  else process.stdout.write(json);
  return reports.every((r) => r.replay.state === 'done') ? 0 : 1;
}
