import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { isPostgres } from './dialect.js';
import { initial } from './migrations/001-initial.js';
import { presence } from './migrations/002-presence.js';
import { queryIndexes } from './migrations/003-query-indexes.js';
import { meetingSettings } from './migrations/004-meeting-settings.js';
import { schedule } from './migrations/005-schedule.js';
import { events } from './migrations/006-events.js';
import { users } from './migrations/007-users.js';
import { leanIndexes } from './migrations/008-lean-indexes.js';
import { deliveryIndexes } from './migrations/009-delivery-indexes.js';
import { roomCodeIndex } from './migrations/010-room-code-index.js';
import { deliveryClaims } from './migrations/011-delivery-claims.js';
import { hostile } from './migrations/012-hostile.js';
import { dingtalkDelivery } from './migrations/013-dingtalk-delivery.js';
import { metricSamples } from './migrations/014-metric-samples.js';
import { cloudRecords } from './migrations/015-cloud-records.js';
import { waitingRoom } from './migrations/016-waiting-room.js';
import type { Database } from './schema.js';

/** Migrations are compiled in, so a packaged build needs no migration folder on disk. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-presence': presence,
  '003-query-indexes': queryIndexes,
  '004-meeting-settings': meetingSettings,
  '005-schedule': schedule,
  '006-events': events,
  '007-users': users,
  '008-lean-indexes': leanIndexes,
  '009-delivery-indexes': deliveryIndexes,
  '010-room-code-index': roomCodeIndex,
  '011-delivery-claims': deliveryClaims,
  '012-hostile': hostile,
  '013-dingtalk-delivery': dingtalkDelivery,
  '014-metric-samples': metricSamples,
  '015-cloud-records': cloudRecords,
  '016-waiting-room': waitingRoom,
};

const provider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

/** Key of the PostgreSQL advisory lock held while migrating ("vconf-migrate" as a 64-bit number). */
export const MIGRATION_LOCK_KEY = 0x76636f6e662d6d69n;

/** Brings the schema up to date; resolves to the names of the migrations this call applied. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return migrate(db);
}

/** Up to and including the named migration: for tests of a migration on data of the schema before it. */
export async function migrateUpTo(db: Kysely<Database>, name: string): Promise<string[]> {
  if (!(name in migrations)) throw new Error(`no migration ${name}`);
  return migrate(db, name);
}

/**
 * On PostgreSQL, several instances may start at once: one migrates while holding a session advisory
 * lock on a connection of its own, the others wait for the lock and then find nothing left to do.
 * (SQLite has one process per file, and its write lock serialises the rest.)
 */
async function migrate(db: Kysely<Database>, upTo?: string): Promise<string[]> {
  if (!isPostgres(db)) return runMigrator(db, upTo);
  return db.connection().execute(async (lockHolder) => {
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(lockHolder);
    try {
      return await runMigrator(db, upTo);
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(lockHolder);
    }
  });
}

async function runMigrator(db: Kysely<Database>, upTo?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
