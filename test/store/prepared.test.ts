/** Queries compiled once by Kysely and run with new arguments each time, on a real database (SQLite, or PostgreSQL in the api-postgres project: $n placeholders). */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareListQuery, prepareQuery } from '../../src/store/prepared.js';
import type { Database } from '../../src/store/schema.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

let opened: TestStore;
let db: Kysely<Database>;

beforeAll(async () => {
  opened = await openTestStore('vconf-prepared-');
  db = opened.store.db;
  await db
    .insertInto('meta')
    .values(Array.from({ length: 40 }, (_, i) => ({ name: `k${i}`, value: `v${i}` })))
    .execute();
});
afterAll(async () => {
  await opened.close();
});

describe('prepareQuery', () => {
  it('binds each call’s arguments where the markers stood, keeping constants of the query', async () => {
    const q = prepareQuery(db, 2, (low, high) =>
      db.selectFrom('meta').select('name').where('name', '>=', low).where('name', '<=', high).where('value', '<>', 'v3').orderBy('name'),
    );
    const all = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const between = (low: string, high: string) => all.filter((n) => n >= low && n <= high && n !== 'k3').sort();
    expect((await q.execute('k1', 'k4')).map((r) => r.name)).toEqual(between('k1', 'k4'));
    expect(between('k1', 'k4')).toContain('k39');
    expect((await q.execute('k30', 'k31')).map((r) => r.name)).toEqual(['k30', 'k31']);
  });

  it('takes markers in any order in the SQL', async () => {
    const q = prepareQuery(db, 2, (second, first) => db.selectFrom('meta').select('value').where('name', '=', first).where('value', '=', second));
    expect(await q.execute('v7', 'k7')).toEqual([{ value: 'v7' }]);
    expect(await q.execute('v8', 'k7')).toEqual([]);
  });

  it('refuses a wrong number of arguments, and a query that leaves a marker unused', async () => {
    const q = prepareQuery(db, 1, (name) => db.selectFrom('meta').selectAll().where('name', '=', name));
    await expect(q.execute()).rejects.toThrow(/expected 1 arguments/);
    await expect(q.execute('a', 'b')).rejects.toThrow(/expected 1 arguments/);
    expect(() => prepareQuery(db, 2, (name) => db.selectFrom('meta').selectAll().where('name', '=', name))).toThrow(/every marker/);
  });
});

describe('prepareListQuery', () => {
  const byNames = () => prepareListQuery(db, 4, (...names) => db.selectFrom('meta').select('name').where('name', 'in', names).orderBy('name'));

  it('answers lists of every length, also beyond the prepared ones', async () => {
    const q = byNames();
    for (const n of [1, 2, 4, 3, 2, 7, 40]) {
      const names = Array.from({ length: n }, (_, i) => `k${i}`);
      expect((await q.execute(...names)).map((r) => r.name)).toEqual([...names].sort());
    }
  });

  it('keeps lists of the same length apart between calls', async () => {
    const q = byNames();
    expect(await q.execute('k1', 'k2')).toEqual([{ name: 'k1' }, { name: 'k2' }]);
    expect(await q.execute('k5', 'nobody')).toEqual([{ name: 'k5' }]);
  });
});
