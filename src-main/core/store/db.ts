/**
 * The workspace store: one SQLite file per workspace (better-sqlite3, WAL). The schema is
 * versioned with PRAGMA user_version; each migration runs once, in a transaction.
 * Later features add their tables as further migrations here.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

export const migrations: ((db: Db) => void)[] = [
  // 1: sessions, their lifecycle history, the console transcript
  (db) =>
    db.exec(`
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        board TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        ended_at INTEGER,
        runs INTEGER NOT NULL DEFAULT 0,
        exit_json TEXT,
        error TEXT
      );
      CREATE TABLE session_events (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX session_events_by_session ON session_events(session_id, id);
      CREATE TABLE console_chunks (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        run INTEGER NOT NULL,
        at INTEGER NOT NULL,
        byte_offset INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX console_chunks_by_session ON console_chunks(session_id, byte_offset);
    `),
  // 2: the resource monitor's record (src-main/core/monitor/store.ts): system samples with
  // their rates, IRQ lines, and process-table snapshots (one row per process per scan).
  (db) =>
    db.exec(`
      CREATE TABLE monitor_points (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        run INTEGER NOT NULL,
        t REAL NOT NULL,
        guest_us INTEGER NOT NULL,
        cpu_user REAL, cpu_nice REAL, cpu_system REAL, cpu_iowait REAL, cpu_irq REAL, cpu_softirq REAL, cpu_idle REAL, cpu_steal REAL,
        mem_total_kb INTEGER, mem_used_kb INTEGER, mem_free_kb INTEGER, mem_available_kb INTEGER, mem_buffers_kb INTEGER, mem_cached_kb INTEGER,
        ctxt_per_s REAL, forks_per_s REAL, procs_running INTEGER, procs_blocked INTEGER,
        qemu_cpu_pct REAL, qemu_rss_kb INTEGER,
        irq_json TEXT NOT NULL
      );
      CREATE INDEX monitor_points_by_time ON monitor_points(session_id, run, t);
      CREATE TABLE monitor_irq_lines (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        run INTEGER NOT NULL,
        irq TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (session_id, run, irq)
      );
      CREATE TABLE monitor_procs (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        run INTEGER NOT NULL,
        t REAL NOT NULL,
        pid INTEGER NOT NULL,
        start_ticks INTEGER NOT NULL,
        ppid INTEGER NOT NULL,
        state TEXT NOT NULL,
        cpu_pct REAL NOT NULL,
        rss_kb INTEGER NOT NULL,
        vsz_kb INTEGER NOT NULL,
        threads INTEGER NOT NULL
      );
      -- What does not change every scan, once per process (pid + start time; again after an exec).
      CREATE TABLE monitor_proc_info (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        run INTEGER NOT NULL,
        pid INTEGER NOT NULL,
        start_ticks INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        user TEXT NOT NULL,
        comm TEXT NOT NULL,
        cmdline TEXT NOT NULL,
        exe TEXT NOT NULL,
        kernel_thread INTEGER NOT NULL,
        PRIMARY KEY (session_id, run, pid, start_ticks)
      );
      CREATE INDEX monitor_procs_by_time ON monitor_procs(session_id, run, t);
    `),
  // 3: the event manager (src-main/core/replay): recordings as revisions of a JSON document
  // (docs/recording-format.md), and replays with their reports. A recording outlives the
  // session it was made in, and replays keep the id of a session that may be deleted later.
  (db) =>
    db.exec(`
      CREATE TABLE recordings (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        board TEXT NOT NULL,
        session_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        latest_rev INTEGER NOT NULL
      );
      CREATE TABLE recording_revisions (
        recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        rev INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        doc_json TEXT NOT NULL,
        PRIMARY KEY (recording_id, rev)
      );
      CREATE TABLE replays (
        id TEXT PRIMARY KEY,
        recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        rev INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        iteration INTEGER NOT NULL,
        of INTEGER NOT NULL,
        speed REAL NOT NULL,
        state TEXT NOT NULL,
        started_at REAL,
        ended_at REAL,
        injected INTEGER NOT NULL,
        total INTEGER NOT NULL,
        error TEXT,
        report_json TEXT
      );
      CREATE INDEX replays_by_recording ON replays(recording_id, started_at);
    `),
  // 4: the input device a session was created with (src-main/core/input): 'keypad' (the
  // board's own) or 'usb-kbd'. Sessions made before this keep the board's keypad.
  (db) => db.exec(`ALTER TABLE sessions ADD COLUMN input_device TEXT NOT NULL DEFAULT 'keypad';`),
  // 5: deterministic mode (src-main/core/determinism), JSON of the contract's Determinism.
  (db) => db.exec(`ALTER TABLE sessions ADD COLUMN determinism_json TEXT NOT NULL DEFAULT '{"mode":"off"}';`),
];

export function openDb(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `workspace database schema version ${current} is newer than this Benchtop understands (${migrations.length}); upgrade Benchtop to open it`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      migrations[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
