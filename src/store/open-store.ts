import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { MeetingCreates } from './meeting-creates.js';
import { migrateToLatest } from './migrate.js';
import { openPostgres } from './postgres.js';
import { PostgresMeetingCreates } from './postgres-meeting-creates.js';
import type { Database } from './schema.js';
import { openSqliteStore } from './sqlite.js';
import { SqliteMeetingCreates } from './sqlite-meeting-creates.js';

/** The database a vconf instance runs on, whichever it is, and its fast path for new meetings. */
export interface Store {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  meetingCreates: MeetingCreates;
  /** Fails unless the database answers (readiness). */
  ping(): Promise<void>;
  /** Queries waiting for a database connection (always 0 on SQLite: one connection, queued inside Kysely). */
  poolWaiting(): number;
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL when `config.database` is set, else the embedded SQLite file in
 * `config.dataDir`, and brings its schema up to date (the create paths compile their statements
 * against it).
 */
export async function openStore(config: Pick<Config, 'dataDir' | 'database'>): Promise<Store> {
  if (config.database) {
    const pg = openPostgres(config.database);
    await migrated(pg.db);
    return {
      db: pg.db,
      dialect: 'postgres',
      meetingCreates: new PostgresMeetingCreates(pg.db),
      ping: pg.ping,
      poolWaiting: pg.poolWaiting,
      close: () => pg.db.destroy(),
    };
  }
  const { db, file } = openSqliteStore(config.dataDir);
  await migrated(db);
  return {
    db,
    dialect: 'sqlite',
    meetingCreates: new SqliteMeetingCreates(db, file),
    async ping() {
      await sql`select 1`.execute(db);
    },
    poolWaiting: () => 0,
    close: () => db.destroy(),
  };
}

/** Migrates, closing the database if that fails. */
async function migrated(db: Kysely<Database>): Promise<void> {
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
