/**
 * The guest file browser's state per session: where it is, what it lists, how it sorts, the
 * transfers in progress. Calls go through a `FilesBackend` (the agent's file services, see
 * ./filesBackend.ts); a listing answer that a newer navigation superseded is dropped.
 */
import { create } from 'zustand';
import { describeError } from '../status/errorsStore';
import { joinPath, normalizePath, parentPath, type FileEntry, type SortSpec } from './paths';

export interface FilesBackend {
  list(sessionId: string, path: string): Promise<FileEntry[]>;
  read(sessionId: string, path: string, onProgress?: (done: number, total: number) => void): Promise<Uint8Array>;
  write(sessionId: string, path: string, data: Uint8Array, mode: number, onProgress?: (done: number, total: number) => void): Promise<void>;
  remove(sessionId: string, path: string): Promise<void>;
}

export interface Transfer {
  id: number;
  kind: 'upload' | 'download';
  /** Guest path. */
  path: string;
  done: number;
  total: number;
  error: string | null;
  finished: boolean;
}

export interface FilesView {
  path: string;
  /** null: never listed (or the listing failed before anything was shown). */
  entries: FileEntry[] | null;
  /** The directory the entries belong to (may lag `path` while loading). */
  listedPath: string | null;
  loading: boolean;
  error: string | null;
  sort: SortSpec;
  selected: string | null;
  transfers: Transfer[];
}

export const HOME = '/tmp';

export function emptyView(path = HOME): FilesView {
  return { path, entries: null, listedPath: null, loading: false, error: null, sort: { key: 'name', dir: 'asc' }, selected: null, transfers: [] };
}

export interface FilesState {
  bySession: Record<string, FilesView>;
}

export const useFiles = create<FilesState>(() => ({ bySession: {} }));

/** Finished transfers kept on screen (the last few, errors included). */
const KEEP_FINISHED = 3;

export function errorText(err: unknown): string {
  return describeError(err).message;
}

export class FilesController {
  private gen = new Map<string, number>();
  private nextTransfer = 1;

  constructor(private readonly backend: () => FilesBackend) {}

  view(sessionId: string): FilesView {
    return useFiles.getState().bySession[sessionId] ?? emptyView();
  }

  /** List a directory (absolute, or relative to the current one). */
  async open(sessionId: string, path: string): Promise<void> {
    const target = normalizePath(path, this.view(sessionId).path);
    const gen = (this.gen.get(sessionId) ?? 0) + 1;
    this.gen.set(sessionId, gen);
    this.patch(sessionId, { path: target, loading: true, error: null });
    try {
      const entries = await this.backend().list(sessionId, target);
      if (this.gen.get(sessionId) !== gen) return;
      const prev = this.view(sessionId);
      const keep = prev.listedPath === target && prev.selected && entries.some((e) => e.name === prev.selected);
      this.patch(sessionId, { entries, listedPath: target, loading: false, selected: keep ? prev.selected : null });
    } catch (err) {
      if (this.gen.get(sessionId) !== gen) return;
      // Stay where the listing is (path bar and breadcrumbs with it); the error names the path.
      const text = errorText(err);
      const prev = this.view(sessionId);
      this.patch(sessionId, { loading: false, path: prev.listedPath ?? target, error: text.includes(target) ? text : `${target}: ${text}` });
    }
  }

  refresh(sessionId: string): Promise<void> {
    return this.open(sessionId, this.view(sessionId).path);
  }

  up(sessionId: string): Promise<void> {
    return this.open(sessionId, parentPath(this.view(sessionId).path));
  }

  enter(sessionId: string, name: string): Promise<void> {
    return this.open(sessionId, joinPath(this.currentDir(sessionId), name));
  }

  select(sessionId: string, name: string | null): void {
    this.patch(sessionId, { selected: name });
  }

  setSort(sessionId: string, sort: SortSpec): void {
    this.patch(sessionId, { sort });
  }

  clearError(sessionId: string): void {
    this.patch(sessionId, { error: null });
  }

  /** The directory the listing shows (uploads go there). */
  currentDir(sessionId: string): string {
    const v = this.view(sessionId);
    return v.listedPath ?? v.path;
  }

  async upload(sessionId: string, name: string, data: Uint8Array, mode = 0o644): Promise<boolean> {
    const path = joinPath(this.currentDir(sessionId), name);
    const ok = await this.transfer(sessionId, 'upload', path, data.length, (progress) => this.backend().write(sessionId, path, data, mode, progress));
    await this.refresh(sessionId);
    if (ok) this.select(sessionId, name);
    return ok;
  }

  async download(sessionId: string, name: string, size: number): Promise<Uint8Array | null> {
    const path = joinPath(this.currentDir(sessionId), name);
    let out: Uint8Array | null = null;
    await this.transfer(sessionId, 'download', path, size, async (progress) => {
      out = await this.backend().read(sessionId, path, progress);
    });
    return out;
  }

  /** Returns the error text, or null when it worked. */
  async remove(sessionId: string, name: string): Promise<string | null> {
    const path = joinPath(this.currentDir(sessionId), name);
    try {
      await this.backend().remove(sessionId, path);
    } catch (err) {
      const message = `Cannot delete ${path}: ${errorText(err)}`;
      this.patch(sessionId, { error: message });
      return message;
    }
    if (this.view(sessionId).selected === name) this.select(sessionId, null);
    await this.refresh(sessionId);
    return null;
  }

  dismissTransfer(sessionId: string, id: number): void {
    this.patch(sessionId, { transfers: this.view(sessionId).transfers.filter((t) => t.id !== id) });
  }

  forget(sessionId: string): void {
    this.gen.delete(sessionId);
    useFiles.setState((st) => {
      const { [sessionId]: _gone, ...rest } = st.bySession;
      return { bySession: rest };
    });
  }

  // ---------------------------------------------------------------------------------------------

  private async transfer(
    sessionId: string,
    kind: Transfer['kind'],
    path: string,
    total: number,
    run: (progress: (done: number, total: number) => void) => Promise<void>,
  ): Promise<boolean> {
    const id = this.nextTransfer++;
    const update = (patch: Partial<Transfer>) =>
      this.patch(sessionId, { transfers: this.view(sessionId).transfers.map((t) => (t.id === id ? { ...t, ...patch } : t)) });
    const finished = this.view(sessionId).transfers.filter((t) => t.finished);
    const running = this.view(sessionId).transfers.filter((t) => !t.finished);
    const t: Transfer = { id, kind, path, done: 0, total, error: null, finished: false };
    this.patch(sessionId, { transfers: [...finished.slice(-KEEP_FINISHED + 1), ...running, t] });
    try {
      await run((done, all) => update({ done, total: all }));
      update({ finished: true, done: this.view(sessionId).transfers.find((x) => x.id === id)?.total ?? total });
      return true;
    } catch (err) {
      update({ finished: true, error: errorText(err) });
      return false;
    }
  }

  private patch(sessionId: string, patch: Partial<FilesView>): void {
    useFiles.setState((st) => ({ bySession: { ...st.bySession, [sessionId]: { ...(st.bySession[sessionId] ?? emptyView()), ...patch } } }));
  }
}
