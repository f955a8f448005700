import type SqliteDatabase from 'better-sqlite3';
import type { Compilable, Insertable, Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Statements for SQLite fast paths: the SQL still comes from Kysely (compiled once, at start-up),
 * but each run skips building and compiling the query, which costs more than a small insert.
 * Run them only while holding Kysely's connection.
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
  const markers = columns.map((_, i) => `$${i}`);
  const values = Object.fromEntries(columns.map((c, i) => [c, markers[i]]));
  const compiled = db.insertInto(table).values(values as Insertable<Database[T]>).compile();
  // The binding order is checked, not assumed.
  if (compiled.parameters.length !== markers.length || compiled.parameters.some((p, i) => p !== markers[i])) {
    throw new Error(`unexpected parameter order in the compiled insert into ${table}`);
  }
  const statement = file.prepare(compiled.sql);
  return {
    run(row) {
      statement.run(columns.map((c) => row[c] as unknown));
    },
  };
}

export interface CompiledSelect<R> {
  all(...params: unknown[]): R[];
}

/** A SELECT built with placeholder values; each run binds its own values in the same order. */
export function compiledSelect<R>(file: SqliteDatabase.Database, query: Compilable<R>): CompiledSelect<R> {
  const compiled = query.compile();
  const statement = file.prepare(compiled.sql);
  const arity = compiled.parameters.length;
  return {
    all(...params) {
      if (params.length !== arity) throw new Error(`expected ${arity} parameters, got ${params.length}`);
      return statement.all(...params) as R[];
    },
  };
}
