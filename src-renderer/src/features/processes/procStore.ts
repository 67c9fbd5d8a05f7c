/**
 * Processes started in the guest through the target agent, per session: the table (pid,
 * command, state) in a zustand store, their stdout/stderr in `ProcOutput` buffers outside React
 * (they grow fast; the pane subscribes to the one it shows).
 *
 * Events may arrive before the answer to the spawn that caused them (output, even the exit of a
 * short program): rows are merged, never replaced, and an exited row stays exited.
 */
import { create } from 'zustand';

/** As the contract's ProcState: 'lost' = the agent link reset (guest reboot) and the agent killed it. */
export type ProcState = 'running' | 'stopped' | 'exited' | 'lost';

export const isEnded = (s: ProcState) => s === 'exited' || s === 'lost';

export interface ProcRow {
  pid: number;
  argv: string[];
  state: ProcState;
  /** Exit status when it exited normally. */
  exitCode: number | null;
  /** Signal name (or number) when a signal ended it. */
  signal: string | null;
  startedAt: number | null;
  endedAt: number | null;
}

export interface ProcsView {
  /** Newest first. */
  rows: ProcRow[];
  selected: number | null;
}

export interface ProcsState {
  bySession: Record<string, ProcsView>;
}

export const EMPTY_PROCS: ProcsView = { rows: [], selected: null };

export const useProcs = create<ProcsState>(() => ({ bySession: {} }));

export type Stream = 'stdout' | 'stderr';
export interface OutputChunk {
  /** 'note': a line of ours (e.g. "[exited (0)]"), not the program's. */
  stream: Stream | 'note';
  text: string;
}

/** Kept per process; the oldest text goes first. */
export const OUTPUT_CAP_CHARS = 512 * 1024;

export class ProcOutput {
  private chunks: OutputChunk[] = [];
  private chars = 0;
  private listeners = new Set<() => void>();
  /** Bumped on every change (for useSyncExternalStore). */
  version = 0;
  trimmed = false;

  constructor(private readonly cap = OUTPUT_CAP_CHARS) {}

  push(stream: OutputChunk['stream'], text: string): void {
    if (!text) return;
    const last = this.chunks.at(-1);
    if (last && last.stream === stream && last.text.length < 16 * 1024) last.text += text;
    else this.chunks.push({ stream, text });
    this.chars += text.length;
    while (this.chars > this.cap && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const over = this.chars - this.cap;
      if (first.text.length <= over) {
        this.chunks.shift();
        this.chars -= first.text.length;
      } else {
        first.text = first.text.slice(over);
        this.chars -= over;
      }
      this.trimmed = true;
    }
    this.changed();
  }

  /** A line of our own, on a line of its own. */
  note(text: string): void {
    const last = this.chunks.at(-1);
    this.push('note', last && !last.text.endsWith('\n') ? `\n${text}` : text);
  }

  get(): readonly OutputChunk[] {
    return this.chunks;
  }

  text(stream?: OutputChunk['stream']): string {
    return this.chunks
      .filter((c) => !stream || c.stream === stream)
      .map((c) => c.text)
      .join('');
  }

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private changed(): void {
    this.version++;
    for (const l of [...this.listeners]) l();
  }
}

function key(sessionId: string, pid: number): string {
  return `${sessionId}:${pid}`;
}

export function describeState(r: Pick<ProcRow, 'state' | 'exitCode' | 'signal'>): string {
  if (r.state === 'lost') return 'lost (agent link reset)';
  if (r.state !== 'exited') return r.state;
  if (r.signal) return `killed by ${r.signal}`;
  return `exited (${r.exitCode ?? '?'})`;
}

/** How a process ended, as `proc.exit` says it (signal already named). */
export type ProcEnd = { how: 'exit'; code: number } | { how: 'signal'; signal: string } | { how: 'lost' };

export class ProcRegistry {
  private readonly outputs = new Map<string, ProcOutput>();

  output(sessionId: string, pid: number): ProcOutput {
    const k = key(sessionId, pid);
    let o = this.outputs.get(k);
    if (!o) this.outputs.set(k, (o = new ProcOutput()));
    return o;
  }

  view(sessionId: string): ProcsView {
    return useProcs.getState().bySession[sessionId] ?? EMPTY_PROCS;
  }

  row(sessionId: string, pid: number): ProcRow | undefined {
    return this.view(sessionId).rows.find((r) => r.pid === pid);
  }

  /** A row from a spawn answer or a list: merged into what events already told. */
  upsert(sessionId: string, row: Partial<ProcRow> & { pid: number }): void {
    this.update(sessionId, (v) => {
      const old = v.rows.find((r) => r.pid === row.pid);
      const base: ProcRow = old ?? { pid: row.pid, argv: [], state: 'running', exitCode: null, signal: null, startedAt: null, endedAt: null };
      const merged: ProcRow = { ...base, ...definedOnly(row) };
      if (old && isEnded(old.state)) {
        // An end already seen wins over a late "running".
        merged.state = old.state;
        merged.exitCode = old.exitCode;
        merged.signal = old.signal;
        merged.endedAt = old.endedAt;
      }
      if (!merged.argv.length && old?.argv.length) merged.argv = old.argv;
      const rows = old ? v.rows.map((r) => (r.pid === row.pid ? merged : r)) : [merged, ...v.rows];
      return { ...v, rows };
    });
  }

  onOutput(sessionId: string, pid: number, stream: Stream, data: string): void {
    this.output(sessionId, pid).push(stream, data);
  }

  onState(sessionId: string, pid: number, state: 'running' | 'stopped'): void {
    const r = this.row(sessionId, pid);
    if (r && isEnded(r.state)) return;
    this.upsert(sessionId, { pid, state });
  }

  onExit(sessionId: string, pid: number, end: ProcEnd, at = Date.now()): void {
    const r = this.row(sessionId, pid);
    if (r && isEnded(r.state)) return;
    const patch: Pick<ProcRow, 'state' | 'exitCode' | 'signal'> =
      end.how === 'exit'
        ? { state: 'exited', exitCode: end.code, signal: null }
        : end.how === 'signal'
          ? { state: 'exited', exitCode: null, signal: end.signal }
          : { state: 'lost', exitCode: null, signal: null };
    this.upsert(sessionId, { pid, ...patch, endedAt: at });
    this.output(sessionId, pid).note(`[${describeState(patch)}]\n`);
  }

  select(sessionId: string, pid: number | null): void {
    this.update(sessionId, (v) => ({ ...v, selected: pid }));
  }

  /** Drop the rows of processes that ended (and their output). */
  clearEnded(sessionId: string): void {
    const gone = this.view(sessionId).rows.filter((r) => isEnded(r.state));
    for (const r of gone) this.outputs.delete(key(sessionId, r.pid));
    this.update(sessionId, (v) => {
      const rows = v.rows.filter((r) => !isEnded(r.state));
      return { rows, selected: rows.some((r) => r.pid === v.selected) ? v.selected : null };
    });
  }

  /** The VM stopped: whatever was running in it is gone. */
  markAllLost(sessionId: string): void {
    for (const r of this.view(sessionId).rows) if (!isEnded(r.state)) this.onExit(sessionId, r.pid, { how: 'lost' });
  }

  forget(sessionId: string): void {
    for (const k of [...this.outputs.keys()]) if (k.startsWith(`${sessionId}:`)) this.outputs.delete(k);
    useProcs.setState((st) => {
      const { [sessionId]: _gone, ...rest } = st.bySession;
      return { bySession: rest };
    });
  }

  private update(sessionId: string, f: (v: ProcsView) => ProcsView): void {
    useProcs.setState((st) => ({ bySession: { ...st.bySession, [sessionId]: f(st.bySession[sessionId] ?? EMPTY_PROCS) } }));
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The app's one registry. */
export const procs = new ProcRegistry();
