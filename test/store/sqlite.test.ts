import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import { openSqlite, SQLITE_FILE } from '../../src/store/sqlite.js';

const PAGE = 4096;

let dir: string;
let db: Kysely<Database> | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vconf-sqlite-'));
  db = openSqlite(dir);
  await migrateToLatest(db);
});

afterEach(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** About `pages` pages of committed rows, each row in its own transaction as requests write them. */
async function writePages(k: Kysely<Database>, pages: number): Promise<void> {
  for (let i = 0; i < pages; i++) {
    await k.insertInto('meta').values({ name: `filler-${i}`, value: 'x'.repeat(PAGE) }).execute();
  }
}

describe('the embedded SQLite store', () => {
  it('copies committed pages into the database file in the background, below the writer’s own checkpoint size', async () => {
    const file = join(dir, SQLITE_FILE);
    const before = statSync(file).size;
    // 300 pages: far below the writer's 4000-page auto-checkpoint, so only the thread copies them.
    await writePages(db!, 300);
    const deadline = Date.now() + 5000;
    while (statSync(file).size < before + 300 * PAGE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(file).size).toBeGreaterThanOrEqual(before + 300 * PAGE);
  });

  it('removes the WAL on close, and keeps every committed row', async () => {
    await writePages(db!, 50);
    await db!.destroy();
    db = undefined;
    // Only the last connection to close checkpoints fully and deletes the WAL.
    expect(existsSync(join(dir, `${SQLITE_FILE}-wal`))).toBe(false);
    db = openSqlite(dir);
    const row = await db.selectFrom('meta').select((eb) => eb.fn.countAll<number>().as('n')).where('name', 'like', 'filler-%').executeTakeFirstOrThrow();
    expect(Number(row.n)).toBe(50);
  });

  it('answers a repeated query with current data, also after the table changes shape', async () => {
    const read = () => db!.selectFrom('meta').selectAll().where('name', '=', 'probe').execute();
    await db!.insertInto('meta').values({ name: 'probe', value: 'one' }).execute();
    expect(await read()).toEqual([{ name: 'probe', value: 'one' }]);
    await db!.updateTable('meta').set({ value: 'two' }).where('name', '=', 'probe').execute();
    expect(await read()).toEqual([{ name: 'probe', value: 'two' }]);
    await sql`alter table meta add column extra text default 'x'`.execute(db!);
    expect(await read()).toEqual([{ name: 'probe', value: 'two', extra: 'x' }]);
  });
});
