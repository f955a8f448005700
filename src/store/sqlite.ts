import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { startCheckpointer } from './checkpointer.js';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export const SQLITE_FILE = 'vconf.sqlite';

/** The embedded database: Kysely for every query, and the connection underneath for SQLite-only fast paths. */
export interface SqliteStore {
  db: Kysely<Database>;
  /** Only to be used while holding Kysely's connection (see sqlite-meeting-creates.ts). */
  file: SqliteDatabase.Database;
}

/** Opens (creating if needed) the embedded database in `dataDir`. */
export function openSqlite(dataDir: string): Kysely<Database> {
  return openSqliteStore(dataDir).db;
}

export function openSqliteStore(dataDir: string): SqliteStore {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SQLITE_FILE);
  const file = new SqliteDatabase(path);
  // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes in WAL mode.
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  // The checkpointer thread copies WAL pages as they come; this connection checkpoints only the
  // remainder, once the WAL holds 4000 pages (16 MB) rather than SQLite's 1000, and then rewinds it.
  file.pragma('wal_autocheckpoint = 4000');
  const checkpointer = startCheckpointer(path);
  // The checkpointer lets go of the file first, so this connection, the last, removes the WAL.
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file, () => checkpointer.stop()) }) });
  return { db, file };
}
