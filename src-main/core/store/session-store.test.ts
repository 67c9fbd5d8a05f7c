import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrations, openDb } from './db';
import { SessionStore } from './session-store';

const dirs: string[] = [];
function tmpDb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-store-'));
  dirs.push(dir);
  return path.join(dir, 'w.sqlite');
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('SessionStore', () => {
  it('keeps sessions, history and transcript across a reopen', () => {
    const file = tmpDb();
    let db = openDb(file);
    let store = new SessionStore(db);
    store.create({ id: 'abc', name: 'one', board: 'mainstone', createdAt: 1 });
    store.addEvent('abc', 'start', 'run 1', 2);
    store.appendConsole([
      { sessionId: 'abc', run: 1, at: 3, offset: 0, data: Buffer.from('hello ') },
      { sessionId: 'abc', run: 1, at: 4, offset: 6, data: Buffer.from('world') },
    ]);
    db.close();
    db = openDb(file);
    store = new SessionStore(db);
    expect(store.get('abc')).toMatchObject({ name: 'one', board: 'mainstone', state: 'created' });
    expect(store.history('abc').map((e) => e.kind)).toEqual(['created', 'start']);
    expect(store.consoleBytes('abc')).toBe(11);
    expect(store.consoleTail('abc', 100).data.toString()).toBe('hello world');
    expect(store.consoleTail('abc', 4).data.toString()).toBe('orld');
    db.close();
  });

  it('deleting a session deletes its history and transcript', () => {
    const db = openDb(tmpDb());
    const store = new SessionStore(db);
    store.create({ id: 'x', name: 'x', board: 'mainstone', createdAt: 1 });
    store.appendConsole([{ sessionId: 'x', run: 1, at: 1, offset: 0, data: Buffer.from('abc') }]);
    store.delete('x');
    expect(store.get('x')).toBeUndefined();
    expect(store.consoleBytes('x')).toBe(0);
    expect(store.history('x')).toEqual([]);
    db.close();
  });

  it('refuses a database from a newer Benchtop without touching it', () => {
    const file = tmpDb();
    const db = openDb(file);
    db.pragma(`user_version = ${migrations.length + 5}`);
    expect(() => migrate(db)).toThrow(/newer than this Benchtop understands/);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length + 5);
    db.close();
  });
});
