/** Guest paths (POSIX, absolute), breadcrumbs, listing sort and formats for the Files pane. Pure. */

export type EntryType = 'f' | 'd' | 'l' | 'c' | 'b' | 'p' | 's' | '?';

/** One directory entry as the agent lists it (`type\tmode\tsize\tmtime\tname`). */
export interface FileEntry {
  name: string;
  type: EntryType;
  /** Permission bits (and set-id/sticky), e.g. 0o755. */
  mode: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
}

/** Make an absolute, normalised path: no empty or `.` parts, `..` resolved, no trailing slash. */
export function normalizePath(p: string, cwd = '/'): string {
  const parts: string[] = [];
  const full = p.startsWith('/') ? p : `${cwd}/${p}`;
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function parentPath(p: string): string {
  const n = normalizePath(p);
  if (n === '/') return '/';
  return n.slice(0, n.lastIndexOf('/')) || '/';
}

export function baseName(p: string): string {
  const n = normalizePath(p);
  return n === '/' ? '/' : n.slice(n.lastIndexOf('/') + 1);
}

export interface Crumb {
  label: string;
  path: string;
}

/** `/usr/local/bin` → `/`, `usr`, `local`, `bin` with the path each one opens. */
export function breadcrumbs(p: string): Crumb[] {
  const n = normalizePath(p);
  const crumbs: Crumb[] = [{ label: '/', path: '/' }];
  if (n === '/') return crumbs;
  let acc = '';
  for (const part of n.slice(1).split('/')) {
    acc += `/${part}`;
    crumbs.push({ label: part, path: acc });
  }
  return crumbs;
}

export type SortKey = 'name' | 'size' | 'mode' | 'mtime' | 'type';
export interface SortSpec {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** Clicking a column header: the same column flips the direction, another one starts ascending
 *  (descending for size and time, where the biggest / newest is what one looks for). */
export function nextSort(cur: SortSpec, key: SortKey): SortSpec {
  if (cur.key === key) return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'size' || key === 'mtime' ? 'desc' : 'asc' };
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Directories first (whatever the column), then by the column, ties by name. */
export function sortEntries(entries: readonly FileEntry[], spec: SortSpec): FileEntry[] {
  const sign = spec.dir === 'asc' ? 1 : -1;
  const byName = (a: FileEntry, b: FileEntry) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const cmp = (a: FileEntry, b: FileEntry): number => {
    switch (spec.key) {
      case 'size':
        return a.size - b.size;
      case 'mtime':
        return a.mtime - b.mtime;
      case 'mode':
        return (a.mode & 0o7777) - (b.mode & 0o7777);
      case 'type':
        return a.type.localeCompare(b.type);
      case 'name':
        return 0;
    }
  };
  return [...entries].sort((a, b) => {
    const dirs = Number(isDirLike(b)) - Number(isDirLike(a));
    if (dirs !== 0) return dirs;
    return sign * (cmp(a, b) || byName(a, b));
  });
}

export function isDirLike(e: Pick<FileEntry, 'type'>): boolean {
  return e.type === 'd';
}

export function isExecutable(e: Pick<FileEntry, 'type' | 'mode'>): boolean {
  return e.type === 'f' && (e.mode & 0o111) !== 0;
}

/** `drwxr-xr-x`, with s/S/t/T for the set-id and sticky bits. */
export function formatMode(type: EntryType, mode: number): string {
  const t = type === 'f' ? '-' : type === '?' ? '?' : type;
  const bit = (m: number, c: string) => (mode & m ? c : '-');
  const special = (x: number, s: number, on: string) => {
    const hasX = (mode & x) !== 0;
    if (mode & s) return hasX ? on : on.toUpperCase();
    return hasX ? 'x' : '-';
  };
  return (
    t +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't')
  );
}

/** 0 B, 512 B, 1.5 KiB, 12 KiB, 3.2 MiB… */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A name the agent can create in a directory: no slash, not `.`/`..`, not empty. */
export function isValidName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !name.includes('/') && name !== '.' && name !== '..' && !name.includes('\0');
}
