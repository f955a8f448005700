/** `vconf directory import --database URL`: the directory applied to PostgreSQL, migrating it first. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/postgres.js';
import { REPO_ROOT, runCli } from '../cli/run-cli.js';
import { rowOf } from '../support/db-peek.js';
import { createTestDatabase, type TestDatabase } from '../support/pg-databases.js';
import { requires } from '../support/requirements.js';

const ready = await requires(import.meta.url, 'postgres');
const EXAMPLE = 'examples/directory.json';
const example = JSON.parse(readFileSync(join(REPO_ROOT, EXAMPLE), 'utf8')) as { orgs: Array<{ users: unknown[]; apps: unknown[] }> };

let database: TestDatabase;

async function counts(): Promise<{ orgs: number; users: number; apps: number }> {
  const store = openPostgres(database.url, { poolSize: 1 });
  try {
    const row = await rowOf<{ orgs: number; users: number; apps: number }>(
      store.db,
      sql`select (select count(*) from orgs) as orgs, (select count(*) from users) as users, (select count(*) from apps) as apps`,
    );
    return row!;
  } finally {
    await store.db.destroy();
  }
}

describe.skipIf(!ready)('vconf directory import on PostgreSQL', () => {
  beforeEach(async () => {
    database = await createTestDatabase({ fromTemplate: false });
  });
  afterEach(async () => {
    await database.drop();
  });

  it('migrates an empty database, applies the file, and applying it again changes nothing', async () => {
    const expected = {
      orgs: example.orgs.length,
      users: example.orgs.reduce((n, o) => n + o.users.length, 0),
      apps: example.orgs.reduce((n, o) => n + o.apps.length, 0),
    };
    for (let run = 0; run < 2; run++) {
      const res = await runCli(['directory', 'import', EXAMPLE, '--database', database.url]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/^applied examples\/directory\.json: \d+ orgs/);
      expect(await counts()).toEqual(expected);
    }
  });
});
