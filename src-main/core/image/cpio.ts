/**
 * A tiny writer (and reader, for tests) of the cpio "newc" format the kernel unpacks as an
 * initramfs. Writing it here rather than with cpio(1) means device nodes (/dev/console) and
 * root ownership without being root, and byte-identical output for identical input.
 */

export type CpioEntry =
  | { path: string; type: 'dir'; mode: number }
  | { path: string; type: 'file'; mode: number; data: Buffer }
  | { path: string; type: 'symlink'; target: string }
  | { path: string; type: 'char' | 'block'; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function pad4(len: number): number {
  return (4 - (len % 4)) % 4;
}

function normalise(p: string): string {
  const s = p.replace(/^\/+/, '').replace(/\/+$/, '');
  if (!s || s.split('/').some((c) => c === '..' || c === '')) throw new Error(`bad cpio path '${p}'`);
  return s;
}

/** Serialise entries (parents before children is the caller's job; see sortEntries). */
export function writeNewc(entries: CpioEntry[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const header = (name: string, mode: number, size: number, rdevMajor: number, rdevMinor: number, nlink: number) => {
    const nameBuf = Buffer.from(`${name}\0`, 'utf8');
    const fields = [
      '070701',
      hex8(ino++),
      hex8(mode),
      hex8(0), // uid
      hex8(0), // gid
      hex8(nlink),
      hex8(mtime),
      hex8(size),
      hex8(0), // devmajor
      hex8(0), // devminor
      hex8(rdevMajor),
      hex8(rdevMinor),
      hex8(nameBuf.length),
      hex8(0), // check
    ].join('');
    parts.push(Buffer.from(fields, 'ascii'), nameBuf, Buffer.alloc(pad4(110 + nameBuf.length)));
  };
  const body = (data: Buffer) => {
    parts.push(data, Buffer.alloc(pad4(data.length)));
  };
  for (const e of entries) {
    const name = normalise(e.path);
    switch (e.type) {
      case 'dir':
        header(name, S_IFDIR | (e.mode & 0o7777), 0, 0, 0, 2);
        break;
      case 'file':
        header(name, S_IFREG | (e.mode & 0o7777), e.data.length, 0, 0, 1);
        body(e.data);
        break;
      case 'symlink': {
        const data = Buffer.from(e.target, 'utf8');
        header(name, S_IFLNK | 0o777, data.length, 0, 0, 1);
        body(data);
        break;
      }
      case 'char':
      case 'block':
        header(name, (e.type === 'char' ? S_IFCHR : S_IFBLK) | (e.mode & 0o7777), 0, e.major, e.minor, 1);
        break;
    }
  }
  ino = 0;
  header('TRAILER!!!', 0, 0, 0, 0, 1);
  return Buffer.concat(parts);
}

/** Order entries so every directory comes before what it contains; add missing parents. */
export function sortEntries(entries: CpioEntry[]): CpioEntry[] {
  const byPath = new Map<string, CpioEntry>();
  for (const e of entries) byPath.set(normalise(e.path), { ...e, path: normalise(e.path) } as CpioEntry);
  for (const p of [...byPath.keys()]) {
    const comps = p.split('/');
    for (let i = 1; i < comps.length; i++) {
      const parent = comps.slice(0, i).join('/');
      if (!byPath.has(parent)) byPath.set(parent, { path: parent, type: 'dir', mode: 0o755 });
      else if (byPath.get(parent)!.type !== 'dir') throw new Error(`cpio: '${parent}' is not a directory`);
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface ParsedCpioEntry {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  rdevMajor: number;
  rdevMinor: number;
  data: Buffer;
}

/** Read a newc archive back (used by the tests and by the build's own sanity check). */
export function parseNewc(buf: Buffer): ParsedCpioEntry[] {
  const out: ParsedCpioEntry[] = [];
  let off = 0;
  for (;;) {
    if (off + 110 > buf.length) throw new Error('cpio: truncated header');
    const magic = buf.toString('ascii', off, off + 6);
    if (magic !== '070701') throw new Error(`cpio: bad magic at ${off}`);
    const field = (i: number) => parseInt(buf.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = field(1);
    const uid = field(2);
    const gid = field(3);
    const size = field(6);
    const rdevMajor = field(9);
    const rdevMinor = field(10);
    const nameSize = field(11);
    const nameStart = off + 110;
    const name = buf.toString('utf8', nameStart, nameStart + nameSize - 1);
    off = nameStart + nameSize + pad4(110 + nameSize);
    if (name === 'TRAILER!!!') break;
    const data = buf.subarray(off, off + size);
    off += size + pad4(size);
    out.push({ path: name, mode, uid, gid, rdevMajor, rdevMinor, data });
  }
  return out;
}
