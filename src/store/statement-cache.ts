import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqlite, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared; `IN (…)` lists of varying length make the set open-ended. */
const CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew, and preparing costs as much as running a point query.
 * Statements are reused per SQL text instead. Safe because Kysely runs one query at a time on
 * the single connection (its mutex), so a cached statement is never busy when handed out again.
 * `onClose` runs before the connection closes.
 */
export function withStatementCache(file: SqliteDatabase.Database, onClose: () => void = () => {}): KyselySqlite {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= CACHE_SIZE) cache.clear();
        stmt = file.prepare(sql) as unknown as SqliteStatement;
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      onClose();
      file.close();
    },
  };
}
