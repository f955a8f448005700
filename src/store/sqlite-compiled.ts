import type SqliteDatabase from 'better-sqlite3';
import type { Compilable, Insertable, Kysely } from 'kysely';
import { compileOnce } from './prepared.js';
import type { Database } from './schema.js';

/**
 * Synchronous statements for SQLite fast paths that run inside a better-sqlite3 transaction: the
 * SQL still comes from Kysely, compiled once at start-up (compileOnce), and each run binds its own
 * values. Run them only while holding Kysely's connection.
 */

export interface CompiledInsert<T extends keyof Database> {
  run(row: Insertable<Database[T]>): void;
}

/** An INSERT of one row into `table` with these columns; a row's values are bound in column order. */
export function compiledInsert<T extends keyof Database & string>(
  db: Kysely<Database>,
  file: SqliteDatabase.Database,
  table: T,
  columns: readonly (keyof Insertable<Database[T]> & string)[],
): CompiledInsert<T> {
  const insert = compileOnce(columns.length, (...markers) =>
    db.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, markers[i]])) as Insertable<Database[T]>),
  );
  const statement = file.prepare(insert.sql);
  return {
    run(row) {
      statement.run(insert.with(columns.map((c) => row[c] as unknown)).parameters);
    },
  };
}

export interface CompiledSelect<R> {
  all(...args: unknown[]): R[];
}

/** A SELECT built with one marker per argument (see compileOnce). */
export function compiledSelect<R>(file: SqliteDatabase.Database, arity: number, build: (...markers: string[]) => Compilable<R>): CompiledSelect<R> {
  const select = compileOnce(arity, build);
  const statement = file.prepare(select.sql);
  return {
    all(...args) {
      return statement.all(select.with(args).parameters) as R[];
    },
  };
}
