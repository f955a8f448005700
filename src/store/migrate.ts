import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
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
};

const provider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  await migrate(db);
}

/** Up to and including the named migration: for tests of a migration on data of the schema before it. */
export async function migrateUpTo(db: Kysely<Database>, name: string): Promise<void> {
  if (!(name in migrations)) throw new Error(`no migration ${name}`);
  await migrate(db, name);
}

async function migrate(db: Kysely<Database>, upTo?: string): Promise<void> {
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
