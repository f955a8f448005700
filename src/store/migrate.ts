import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { initial } from './migrations/001-initial.js';
import { presence } from './migrations/002-presence.js';
import { queryIndexes } from './migrations/003-query-indexes.js';
import { meetingSettings } from './migrations/004-meeting-settings.js';
import type { Database } from './schema.js';

/** Migrations are compiled in, so a packaged build needs no migration folder on disk. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-presence': presence,
  '003-query-indexes': queryIndexes,
  '004-meeting-settings': meetingSettings,
};

const provider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
