import { describe, expect, it } from 'vitest';
import {
  baseName,
  breadcrumbs,
  formatMode,
  formatSize,
  isExecutable,
  isValidName,
  joinPath,
  nextSort,
  normalizePath,
  parentPath,
  sortEntries,
  type FileEntry,
} from './paths';

const e = (name: string, type: FileEntry['type'], size = 0, mtime = 0, mode = 0o644): FileEntry => ({ name, type, size, mtime, mode });

describe('paths', () => {
  it('normalises', () => {
    expect(normalizePath('/')).toBe('/');
    expect(normalizePath('')).toBe('/');
    expect(normalizePath('/usr//local/./bin/')).toBe('/usr/local/bin');
    expect(normalizePath('/a/b/../../..')).toBe('/');
    expect(normalizePath('c/d', '/a/b')).toBe('/a/b/c/d');
    expect(normalizePath('../x', '/a/b')).toBe('/a/x');
  });

  it('joins, parents, base names', () => {
    expect(joinPath('/', 'tmp')).toBe('/tmp');
    expect(joinPath('/tmp', 'a')).toBe('/tmp/a');
    expect(parentPath('/tmp/a')).toBe('/tmp');
    expect(parentPath('/tmp')).toBe('/');
    expect(parentPath('/')).toBe('/');
    expect(baseName('/tmp/hello')).toBe('hello');
    expect(baseName('/')).toBe('/');
  });

  it('breadcrumbs', () => {
    expect(breadcrumbs('/')).toEqual([{ label: '/', path: '/' }]);
    expect(breadcrumbs('/usr/local/bin/')).toEqual([
      { label: '/', path: '/' },
      { label: 'usr', path: '/usr' },
      { label: 'local', path: '/usr/local' },
      { label: 'bin', path: '/usr/local/bin' },
    ]);
  });

  it('valid names', () => {
    expect(isValidName('hello.c')).toBe(true);
    for (const bad of ['', '.', '..', 'a/b', 'x\0']) expect(isValidName(bad)).toBe(false);
  });
});

describe('sortEntries', () => {
  const list = [e('b.txt', 'f', 10, 3), e('usr', 'd', 4096, 1), e('A.txt', 'f', 300, 2), e('bin', 'l', 7, 5), e('etc', 'd', 4096, 9), e('file10', 'f', 1, 1), e('file2', 'f', 1, 1)];

  it('directories first, then by name (case-insensitive, numeric)', () => {
    expect(sortEntries(list, { key: 'name', dir: 'asc' }).map((x) => x.name)).toEqual(['etc', 'usr', 'A.txt', 'b.txt', 'bin', 'file2', 'file10']);
    expect(sortEntries(list, { key: 'name', dir: 'desc' }).map((x) => x.name)).toEqual(['usr', 'etc', 'file10', 'file2', 'bin', 'b.txt', 'A.txt']);
  });

  it('by size and time, ties by name', () => {
    expect(sortEntries(list, { key: 'size', dir: 'desc' }).map((x) => x.name)).toEqual(['usr', 'etc', 'A.txt', 'b.txt', 'bin', 'file10', 'file2']);
    expect(sortEntries(list, { key: 'mtime', dir: 'asc' }).map((x) => x.name)).toEqual(['usr', 'etc', 'file2', 'file10', 'A.txt', 'b.txt', 'bin']);
  });

  it('does not change its input', () => {
    const copy = [...list];
    sortEntries(list, { key: 'size', dir: 'asc' });
    expect(list).toEqual(copy);
  });

  it('nextSort flips the same column and starts others in their natural direction', () => {
    expect(nextSort({ key: 'name', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'desc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'size')).toEqual({ key: 'size', dir: 'desc' });
    expect(nextSort({ key: 'size', dir: 'desc' }, 'mode')).toEqual({ key: 'mode', dir: 'asc' });
  });
});

describe('formats', () => {
  it('modes like ls -l', () => {
    expect(formatMode('d', 0o755)).toBe('drwxr-xr-x');
    expect(formatMode('f', 0o644)).toBe('-rw-r--r--');
    expect(formatMode('l', 0o777)).toBe('lrwxrwxrwx');
    expect(formatMode('f', 0o4755)).toBe('-rwsr-xr-x');
    expect(formatMode('d', 0o1777)).toBe('drwxrwxrwt');
    expect(formatMode('f', 0o2644)).toBe('-rw-r-Sr--');
  });

  it('sizes', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(20 * 1024)).toBe('20 KiB');
    expect(formatSize(3.2 * 1024 * 1024)).toBe('3.2 MiB');
  });

  it('executables', () => {
    expect(isExecutable(e('x', 'f', 0, 0, 0o755))).toBe(true);
    expect(isExecutable(e('x', 'f', 0, 0, 0o644))).toBe(false);
    expect(isExecutable(e('x', 'd', 0, 0, 0o755))).toBe(false);
  });
});
