/**
 * Recordings (revisions of a validated JSON document) and replays (with their reports) in the
 * workspace database — tables of migration 3 in ../store/db.ts. Every document is validated
 * again when read back, so a damaged row is an error that names the recording, not a crash.
 */
import crypto from 'node:crypto';
import { RecordingDoc } from '../../../src-shared/features/recording';
import type { RecordingSummary, ReplayInfo, ReplayReport } from '../../../src-shared/features/replay';
import { BenchtopError } from '../../../src-shared/errors';
import type { Db } from '../store/db';

type RecordingRow = { id: string; name: string; board: string; session_id: string | null; created_at: number; updated_at: number; latest_rev: number };
type ReplayRow = {
  id: string; recording_id: string; rev: number; session_id: string; iteration: number; of: number; speed: number; state: string;
  started_at: number | null; ended_at: number | null; injected: number; total: number; error: string | null; report_json: string | null;
};

export const newRecordingId = () => `r${crypto.randomBytes(4).toString('hex')}`;
export const newReplayId = () => `p${crypto.randomBytes(4).toString('hex')}`;

function durationUs(doc: RecordingDoc): number {
  return doc.events.length ? doc.events[doc.events.length - 1]!.t : 0;
}

export class ReplayStore {
  constructor(private readonly db: Db) {}

  private summary(r: RecordingRow, doc?: RecordingDoc): RecordingSummary {
    const d = doc ?? this.doc(r.id, r.latest_rev);
    return {
      recordingId: r.id,
      name: r.name,
      rev: r.latest_rev,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      events: d.events.length,
      durationUs: durationUs(d),
      board: r.board,
      sessionId: r.session_id,
    };
  }

  private row(id: string): RecordingRow {
    const r = this.db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as RecordingRow | undefined;
    if (!r) throw new BenchtopError('not-found', `no recording with id ${id}`);
    return r;
  }

  create(doc: RecordingDoc): RecordingSummary {
    const id = newRecordingId();
    const now = Date.now();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO recordings (id, name, board, session_id, created_at, updated_at, latest_rev) VALUES (?, ?, ?, ?, ?, ?, 1)')
        .run(id, doc.name, doc.source.board, doc.source.sessionId, now, now);
      this.db.prepare('INSERT INTO recording_revisions (recording_id, rev, created_at, doc_json) VALUES (?, 1, ?, ?)').run(id, now, JSON.stringify(doc));
    })();
    return this.summary(this.row(id), doc);
  }

  /** A new revision on top of `baseRev`; refused when someone saved another revision meanwhile. */
  saveRevision(id: string, baseRev: number, doc: RecordingDoc): RecordingSummary {
    return this.db.transaction(() => {
      const r = this.row(id);
      if (r.latest_rev !== baseRev) {
        throw new BenchtopError('invalid-state', `recording ${id} has revision ${r.latest_rev} now, not ${baseRev}: it was saved elsewhere meanwhile; reload it (your edits stay in the editor)`);
      }
      const rev = baseRev + 1;
      const now = Date.now();
      this.db.prepare('INSERT INTO recording_revisions (recording_id, rev, created_at, doc_json) VALUES (?, ?, ?, ?)').run(id, rev, now, JSON.stringify(doc));
      this.db.prepare('UPDATE recordings SET latest_rev = ?, updated_at = ?, name = ? WHERE id = ?').run(rev, now, doc.name, id);
      return this.summary(this.row(id), doc);
    })();
  }

  rename(id: string, name: string): RecordingSummary {
    this.row(id);
    this.db.prepare('UPDATE recordings SET name = ?, updated_at = ? WHERE id = ?').run(name, Date.now(), id);
    return this.summary(this.row(id));
  }

  delete(id: string): void {
    this.row(id);
    this.db.prepare('DELETE FROM recordings WHERE id = ?').run(id);
  }

  list(): RecordingSummary[] {
    return (this.db.prepare('SELECT * FROM recordings ORDER BY created_at DESC, id').all() as RecordingRow[]).flatMap((r) => {
      try {
        return [this.summary(r)];
      } catch {
        return []; // a damaged document is reported when opened, not by hiding every recording
      }
    });
  }

  get(id: string, rev?: number): { recordingId: string; rev: number; doc: RecordingDoc; name: string } {
    const r = this.row(id);
    const which = rev ?? r.latest_rev;
    // The document's name follows renames.
    return { recordingId: id, rev: which, doc: { ...this.doc(id, which), name: r.name }, name: r.name };
  }

  private doc(id: string, rev: number): RecordingDoc {
    const row = this.db.prepare('SELECT doc_json FROM recording_revisions WHERE recording_id = ? AND rev = ?').get(id, rev) as { doc_json: string } | undefined;
    if (!row) throw new BenchtopError('not-found', `recording ${id} has no revision ${rev}`);
    const parsed = RecordingDoc.safeParse(JSON.parse(row.doc_json));
    if (!parsed.success) throw new BenchtopError('internal', `recording ${id} revision ${rev} is damaged in the workspace database: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  saveReplay(info: ReplayInfo, report: ReplayReport | null): void {
    this.db
      .prepare(
        // An upsert, not INSERT OR REPLACE: that would delete the row and change its rowid (the listing order).
        `INSERT INTO replays (id, recording_id, rev, session_id, iteration, of, speed, state, started_at, ended_at, injected, total, error, report_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at, ended_at = excluded.ended_at,
           injected = excluded.injected, error = excluded.error, report_json = excluded.report_json`,
      )
      .run(info.replayId, info.recordingId, info.rev, info.sessionId, info.iteration, info.of, info.speed, info.state, info.startedAt, info.endedAt, info.injected, info.total, info.error, report ? JSON.stringify(report) : null);
  }

  replays(filter: { recordingId?: string; sessionId?: string }): ReplayInfo[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM replays WHERE (@rec IS NULL OR recording_id = @rec) AND (@ses IS NULL OR session_id = @ses) ORDER BY rowid`,
      )
      .all({ rec: filter.recordingId ?? null, ses: filter.sessionId ?? null }) as ReplayRow[];
    return rows.map(replayInfoOf);
  }

  replay(id: string): { info: ReplayInfo; report: ReplayReport | null } {
    const r = this.db.prepare('SELECT * FROM replays WHERE id = ?').get(id) as ReplayRow | undefined;
    if (!r) throw new BenchtopError('not-found', `no replay with id ${id}`);
    return { info: replayInfoOf(r), report: r.report_json ? (JSON.parse(r.report_json) as ReplayReport) : null };
  }
}

function replayInfoOf(r: ReplayRow): ReplayInfo {
  return {
    replayId: r.id,
    recordingId: r.recording_id,
    rev: r.rev,
    sessionId: r.session_id,
    iteration: r.iteration,
    of: r.of,
    speed: r.speed,
    state: r.state as ReplayInfo['state'],
    startedAt: r.started_at,
    endedAt: r.ended_at,
    injected: r.injected,
    total: r.total,
    error: r.error,
  };
}
