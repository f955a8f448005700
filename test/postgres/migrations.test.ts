/**
 * Migrations on PostgreSQL: every one runs there, and instances starting at once on an empty
 * database take turns under an advisory lock: one migrates, the others wait and find it done.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY, migrateToLatest } from '../../src/store/migrate.js';
import { openPostgres, type PostgresStore } from '../../src/store/postgres.js';
import { SqlMetaRepository } from '../../src/store/meta-repo.js';
import { rowsOf, tableCounts } from '../support/db-peek.js';
import { createTestDatabase, type TestDatabase } from '../support/pg-databases.js';
import { requires } from '../support/requirements.js';

const ready = await requires(import.meta.url, 'postgres');

let database: TestDatabase;
let opened: PostgresStore[] = [];
const open = () => {
  const s = openPostgres(database.url, { poolSize: 3 });
  opened.push(s);
  return s;
};

describe.skipIf(!ready)('migrations on PostgreSQL', () => {
  beforeEach(async () => {
    database = await createTestDatabase({ fromTemplate: false });
  });
  afterEach(async () => {
    await Promise.all(opened.map((s) => s.db.destroy()));
    opened = [];
    await database.drop();
  });

  it('run by 3 instances at once: one applies every migration, the others wait and apply none; the schema is whole', async () => {
    const results = await Promise.all([open(), open(), open()].map((s) => migrateToLatest(s.db)));
    const appliers = results.filter((r) => r.length > 0);
    expect(appliers).toHaveLength(1);
    expect(appliers[0]![0]).toBe('001-initial');
    expect(results.filter((r) => r.length === 0)).toHaveLength(2);

    const db = opened[0]!.db;
    const migrations = await rowsOf<{ name: string }>(db, sql`select name from kysely_migration order by name`);
    expect(migrations.map((m) => m.name)).toEqual(appliers[0]);
    expect(Object.keys(await tableCounts(db))).toEqual(
      [
        'access_tokens', 'apps', 'cloud_records', 'custom_short_links', 'event_deliveries', 'event_delivery_log', 'events', 'kysely_migration', 'kysely_migration_lock', 'meeting_bars', 'meeting_members', 'meeting_settings', 'meetings', 'meta', 'metric_samples', 'oauth_grants', 'orgs', 'schedule_conferences', 'signin_links', 'stream_tickets', 'suite_authorizations', 'suites', 'users',
      ],
    );
    const indexes = await rowsOf<{ indexname: string; indexdef: string }>(db, sql`select indexname, indexdef from pg_indexes where schemaname = 'public'`);
    const byName = new Map(indexes.map((i) => [i.indexname, i.indexdef]));
    // The partial indexes kept their conditions in PostgreSQL's terms.
    expect(byName.get('schedule_conferences_live_room_code')).toMatch(/WHERE \(cancelled = false\)/);
    expect(byName.get('event_deliveries_due')).toMatch(/WHERE \(state = 'pending'::text\)/);
    expect(byName.get('meetings_room_code_unique')).toMatch(/UNIQUE INDEX .*\(room_code, room_code_released\)/);
  });

  it('waits while another instance holds the migration lock', async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
      let done = false;
      const migrating = migrateToLatest(open().db).then((r) => {
        done = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 400));
      expect(done).toBe(false);
      await holder.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
      expect((await migrating).length).toBeGreaterThan(10);
    } finally {
      await holder.end();
    }
  });

  it('gives every instance the first value written for a meta key (the deployment key)', async () => {
    await migrateToLatest(open().db);
    const values = await Promise.all(
      Array.from({ length: 3 }, (_, i) => new SqlMetaRepository(open().db).getOrCreate('token_key', () => `value-of-instance-${i}`)),
    );
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toMatch(/^value-of-instance-\d$/);
  });
});
