/** Persistence of sessions, their lifecycle history and console transcripts. */
import type { ExitInfo, LifecycleEvent, SessionState, SessionSummary } from '../../../src-shared/contract';
import { Determinism } from '../../../src-shared/features/determinism';
import { InputDevice } from '../../../src-shared/features/recording';
import type { Db } from './db';

interface SessionRow {
  id: string;
  name: string;
  board: string;
  state: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  runs: number;
  exit_json: string | null;
  error: string | null;
  input_device: string;
  determinism_json: string;
}

export type SessionRecord = Omit<SessionSummary, 'gdbPort'>;

export class SessionStore {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      insert: db.prepare(
        `INSERT INTO sessions (id, name, board, state, created_at, runs, input_device, determinism_json)
         VALUES (@id, @name, @board, @state, @createdAt, 0, @inputDevice, @determinismJson)`,
      ),
      get: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
      list: db.prepare<[], SessionRow>('SELECT * FROM sessions ORDER BY created_at DESC, id'),
      update: db.prepare(
        `UPDATE sessions SET name=@name, state=@state, started_at=@startedAt, ended_at=@endedAt, runs=@runs,
         exit_json=@exitJson, error=@error, determinism_json=@determinismJson WHERE id=@id`,
      ),
      delete: db.prepare('DELETE FROM sessions WHERE id = ?'),
      addEvent: db.prepare('INSERT INTO session_events (session_id, at, kind, detail) VALUES (?, ?, ?, ?)'),
      events: db.prepare<[string], { session_id: string; at: number; kind: string; detail: string }>(
        'SELECT session_id, at, kind, detail FROM session_events WHERE session_id = ? ORDER BY id',
      ),
      addChunk: db.prepare('INSERT INTO console_chunks (session_id, run, at, byte_offset, data) VALUES (?, ?, ?, ?, ?)'),
      consoleEnd: db.prepare<[string], { end: number | null }>(
        'SELECT MAX(byte_offset + length(data)) AS end FROM console_chunks WHERE session_id = ?',
      ),
      chunksOfRun: db.prepare<[string, number], { data: Buffer }>('SELECT data FROM console_chunks WHERE session_id = ? AND run = ? ORDER BY byte_offset'),
      chunksFrom: db.prepare<[string, number], { byte_offset: number; data: Buffer }>(
        'SELECT byte_offset, data FROM console_chunks WHERE session_id = ? AND byte_offset + length(data) > ? ORDER BY byte_offset',
      ),
    };
  }

  create(rec: { id: string; name: string; board: string; createdAt: number; inputDevice?: InputDevice; determinism?: Determinism }): void {
    this.db.transaction(() => {
      const { determinism, ...row } = rec;
      this.q.insert.run({ ...row, inputDevice: rec.inputDevice ?? 'keypad', state: 'created', determinismJson: JSON.stringify(determinism ?? { mode: 'off' }) });
      this.q.addEvent.run(rec.id, rec.createdAt, 'created', `board ${rec.board}`);
    })();
  }

  get(id: string): SessionRecord | undefined {
    const row = this.q.get.get(id);
    return row && fromRow(row);
  }

  list(): SessionRecord[] {
    return this.q.list.all().map(fromRow);
  }

  update(rec: SessionRecord): void {
    this.q.update.run({
      id: rec.id,
      name: rec.name,
      state: rec.state,
      startedAt: rec.startedAt,
      endedAt: rec.endedAt,
      runs: rec.runs,
      exitJson: rec.exit ? JSON.stringify(rec.exit) : null,
      error: rec.error,
      determinismJson: JSON.stringify(rec.determinism),
    });
  }

  delete(id: string): void {
    this.q.delete.run(id);
  }

  addEvent(sessionId: string, kind: string, detail: string, at = Date.now()): LifecycleEvent {
    this.q.addEvent.run(sessionId, at, kind, detail);
    return { sessionId, at, kind, detail };
  }

  history(sessionId: string): LifecycleEvent[] {
    return this.q.events.all(sessionId).map((r) => ({ sessionId: r.session_id, at: r.at, kind: r.kind, detail: r.detail }));
  }

  /** Append console chunks in one transaction (called in batches, off the per-byte path). */
  appendConsole(chunks: { sessionId: string; run: number; at: number; offset: number; data: Buffer }[]): void {
    if (chunks.length === 0) return;
    this.db.transaction(() => {
      for (const c of chunks) this.q.addChunk.run(c.sessionId, c.run, c.at, c.offset, c.data);
    })();
  }

  consoleBytes(sessionId: string): number {
    return this.q.consoleEnd.get(sessionId)?.end ?? 0;
  }

  /** Everything one run of a session wrote to its console (a reproduction compares these). */
  consoleOfRun(sessionId: string, run: number): Buffer {
    return Buffer.concat(this.q.chunksOfRun.all(sessionId, run).map((r) => r.data));
  }

  /** The last `maxBytes` of the transcript as raw bytes. */
  consoleTail(sessionId: string, maxBytes: number): { data: Buffer; totalBytes: number } {
    const totalBytes = this.consoleBytes(sessionId);
    const from = Math.max(0, totalBytes - maxBytes);
    const rows = this.q.chunksFrom.all(sessionId, from);
    const parts = rows.map((r) => (r.byte_offset < from ? r.data.subarray(from - r.byte_offset) : r.data));
    return { data: Buffer.concat(parts), totalBytes };
  }
}

function fromRow(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    name: r.name,
    board: r.board,
    state: r.state as SessionState,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    runs: r.runs,
    exit: r.exit_json ? (JSON.parse(r.exit_json) as ExitInfo) : null,
    error: r.error,
    // A value this version does not know (a newer Benchtop wrote it) falls back to the board's own keypad.
    inputDevice: InputDevice.catch('keypad').parse(r.input_device),
    determinism: parseDeterminism(r.determinism_json),
  };
}

/** A value this version cannot read (a newer Benchtop wrote it): the session opens with it off. */
function parseDeterminism(json: string): Determinism {
  try {
    return Determinism.parse(JSON.parse(json));
  } catch {
    return { mode: 'off' };
  }
}
