import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase as KyselySqlite, type SqliteStatement } from 'kysely';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import type { Database } from './schema.js';

export const SQLITE_FILE = 'vconf.sqlite';

/** Distinct SQL texts kept prepared; `IN (…)` lists of varying length make the set open-ended. */
const STATEMENT_CACHE_SIZE = 500;

/** Opens (creating if needed) the embedded database in `dataDir`. */
export function openSqlite(dataDir: string): Kysely<Database> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SQLITE_FILE);
  const file = new SqliteDatabase(path);
  // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes in WAL mode.
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  const checkpointer = startCheckpointer(path);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file, checkpointer) }) });
}

/**
 * Kysely prepares every query anew, and preparing costs as much as running a point query.
 * Statements are reused per SQL text instead. Safe because Kysely runs one query at a time on
 * the single connection (its mutex), so a cached statement is never busy when handed out again.
 */
function withStatementCache(file: SqliteDatabase.Database, checkpointer: Checkpointer): KyselySqlite {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        stmt = file.prepare(sql) as unknown as SqliteStatement;
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      checkpointer.stop();
      file.close();
    },
  };
}
