import { beforeEach, describe, expect, it } from 'vitest';
import { BenchtopError } from '../../../../src-shared/errors';
import { FilesController, useFiles, type FilesBackend } from './filesStore';
import type { FileEntry } from './paths';

const f = (name: string, type: FileEntry['type'] = 'f', size = 1): FileEntry => ({ name, type, size, mode: 0o644, mtime: 1 });

/** A guest file system in a map: path → entry list or file bytes. */
function fakeBackend() {
  const dirs: Record<string, FileEntry[]> = { '/': [f('tmp', 'd'), f('etc', 'd')], '/tmp': [f('a.txt')], '/etc': [f('passwd')] };
  const files: Record<string, Uint8Array> = { '/tmp/a.txt': new Uint8Array([97]) };
  const waits: Record<string, Promise<void>> = {};
  const backend: FilesBackend = {
    async list(_s, path) {
      await waits[path];
      const d = dirs[path];
      if (!d) throw new BenchtopError('not-found', `${path}: No such file or directory`);
      return d;
    },
    async read(_s, path, progress) {
      const b = files[path];
      if (!b) throw new BenchtopError('not-found', 'no such file');
      progress?.(b.length, b.length);
      return b;
    },
    async write(_s, path, data, _mode, progress) {
      if (path.startsWith('/etc/')) throw new BenchtopError('internal', 'Permission denied');
      progress?.(Math.floor(data.length / 2), data.length);
      progress?.(data.length, data.length);
      files[path] = data;
      const dir = path.slice(0, path.lastIndexOf('/')) || '/';
      const name = path.slice(path.lastIndexOf('/') + 1);
      dirs[dir] = [...(dirs[dir] ?? []).filter((e) => e.name !== name), f(name, 'f', data.length)];
    },
    async remove(_s, path) {
      const dir = path.slice(0, path.lastIndexOf('/')) || '/';
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (dir === '/etc') throw new BenchtopError('internal', 'Permission denied');
      dirs[dir] = (dirs[dir] ?? []).filter((e) => e.name !== name);
      delete files[path];
    },
  };
  return { backend, dirs, files, waits };
}

describe('FilesController', () => {
  beforeEach(() => useFiles.setState({ bySession: {} }));

  it('lists, enters, goes up, keeps absolute normalised paths', async () => {
    const { backend } = fakeBackend();
    const c = new FilesController(() => backend);
    await c.open('s', '/');
    expect(c.view('s')).toMatchObject({ path: '/', listedPath: '/', loading: false, error: null });
    expect(c.view('s').entries!.map((e) => e.name)).toEqual(['tmp', 'etc']);
    await c.enter('s', 'tmp');
    expect(c.view('s').path).toBe('/tmp');
    await c.open('s', '../etc/');
    expect(c.view('s').path).toBe('/etc');
    await c.up('s');
    expect(c.view('s').path).toBe('/');
  });

  it('an error keeps the last listing and says what went wrong', async () => {
    const { backend } = fakeBackend();
    const c = new FilesController(() => backend);
    await c.open('s', '/tmp');
    await c.open('s', '/nope');
    expect(c.view('s')).toMatchObject({ path: '/tmp', listedPath: '/tmp', error: '/nope: No such file or directory' });
    expect(c.currentDir('s')).toBe('/tmp');
    // an error that does not name the path gets it
    const failing = { ...backend, list: async () => Promise.reject(new Error('agent link reset')) };
    const c2 = new FilesController(() => failing);
    await c2.open('t', '/etc');
    expect(c2.view('t')).toMatchObject({ path: '/etc', listedPath: null, error: '/etc: agent link reset' });
  });

  it('drops a listing that a newer navigation superseded', async () => {
    const { backend, waits } = fakeBackend();
    let release!: () => void;
    waits['/etc'] = new Promise((r) => (release = r));
    const c = new FilesController(() => backend);
    const slow = c.open('s', '/etc');
    await c.open('s', '/tmp');
    release();
    await slow;
    expect(c.view('s')).toMatchObject({ path: '/tmp', listedPath: '/tmp' });
    expect(c.view('s').entries!.map((e) => e.name)).toEqual(['a.txt']);
  });

  it('uploads into the listed directory with progress, refreshes and selects the file', async () => {
    const { backend, files } = fakeBackend();
    const c = new FilesController(() => backend);
    await c.open('s', '/tmp');
    const seen: number[] = [];
    const unsub = useFiles.subscribe((st) => {
      const t = st.bySession.s?.transfers.at(-1);
      if (t && !seen.includes(t.done)) seen.push(t.done);
    });
    expect(await c.upload('s', 'hello', new Uint8Array(10), 0o755)).toBe(true);
    unsub();
    expect(files['/tmp/hello']).toHaveLength(10);
    expect(seen).toEqual([0, 5, 10]);
    expect(c.view('s').transfers.at(-1)).toMatchObject({ kind: 'upload', path: '/tmp/hello', done: 10, total: 10, finished: true, error: null });
    expect(c.view('s').entries!.map((e) => e.name)).toContain('hello');
    expect(c.view('s').selected).toBe('hello');
  });

  it('a failed upload is a failed transfer with the reason', async () => {
    const { backend } = fakeBackend();
    const c = new FilesController(() => backend);
    await c.open('s', '/etc');
    expect(await c.upload('s', 'x', new Uint8Array(3))).toBe(false);
    expect(c.view('s').transfers.at(-1)).toMatchObject({ finished: true, error: 'Permission denied' });
  });

  it('downloads bytes', async () => {
    const { backend } = fakeBackend();
    const c = new FilesController(() => backend);
    await c.open('s', '/tmp');
    expect(Array.from((await c.download('s', 'a.txt', 1))!)).toEqual([97]);
    expect(await c.download('s', 'missing', 1)).toBeNull();
    expect(c.view('s').transfers.at(-1)!.error).toBe('no such file');
  });

  it('deletes, clearing the selection; a refused delete is an error', async () => {
    const { backend } = fakeBackend();
    const c = new FilesController(() => backend);
    await c.open('s', '/tmp');
    c.select('s', 'a.txt');
    expect(await c.remove('s', 'a.txt')).toBeNull();
    expect(c.view('s').entries).toEqual([]);
    expect(c.view('s').selected).toBeNull();
    await c.open('s', '/etc');
    expect(await c.remove('s', 'passwd')).toBe('Cannot delete /etc/passwd: Permission denied');
    expect(c.view('s').error).toBe('Cannot delete /etc/passwd: Permission denied');
  });

  it('keeps only the last few finished transfers', async () => {
    const { backend } = fakeBackend();
    const c = new FilesController(() => backend);
    await c.open('s', '/tmp');
    for (let i = 0; i < 6; i++) await c.upload('s', `f${i}`, new Uint8Array(1));
    expect(c.view('s').transfers.map((t) => t.path)).toEqual(['/tmp/f3', '/tmp/f4', '/tmp/f5']);
  });
});
