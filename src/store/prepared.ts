import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/**
 * Kysely queries built and compiled once, with marker values where the arguments go; each run
 * binds its own arguments to the compiled SQL. Building and compiling cost a point read or two per
 * query, and on the hot paths they were paid again on every call. Works on any dialect: only the
 * parameters change, never the SQL.
 */

/** A compiled statement and how to bind a call's arguments to it. */
export interface CompiledOnce<R> {
  readonly sql: string;
  /** The compiled query with these arguments in place of the markers. */
  with(args: readonly unknown[]): CompiledQuery<R>;
}

/** `build` receives one marker per argument and uses each as the value it stands for. */
export function compileOnce<R>(arity: number, build: (...markers: string[]) => Compilable<R>): CompiledOnce<R> {
  const markers = Array.from({ length: arity }, (_, i) => `\u0000arg${i}\u0000`);
  const compiled = build(...markers).compile();
  const slots = compiled.parameters.map((p) => markers.indexOf(p as string));
  if (markers.some((_, i) => !slots.includes(i))) throw new Error('a prepared query must use every marker');
  return {
    sql: compiled.sql,
    with(args) {
      if (args.length !== arity) throw new Error(`expected ${arity} arguments, got ${args.length}`);
      return { ...compiled, parameters: slots.map((slot, i) => (slot < 0 ? compiled.parameters[i] : args[slot])) };
    },
  };
}

export interface PreparedQuery<R> {
  execute(...args: readonly unknown[]): Promise<R[]>;
}

/** A query compiled once and executed on `db` with each call's arguments. */
export function prepareQuery<DB, R>(db: Kysely<DB>, arity: number, build: (...markers: string[]) => Compilable<R>): PreparedQuery<R> {
  const statement = compileOnce(arity, build);
  return {
    async execute(...args) {
      return (await db.executeQuery(statement.with(args))).rows;
    },
  };
}

/** One prepared query per argument count, for `IN (…)` lists; lists longer than `maxArity` are built each time. */
export function prepareListQuery<DB, R>(
  db: Kysely<DB>,
  maxArity: number,
  build: (...markers: string[]) => Compilable<R>,
): PreparedQuery<R> {
  const byArity = new Map<number, PreparedQuery<R>>();
  return {
    async execute(...args) {
      if (args.length > maxArity) return (await db.executeQuery(build(...(args as string[])))).rows;
      let prepared = byArity.get(args.length);
      if (!prepared) byArity.set(args.length, (prepared = prepareQuery(db, args.length, build)));
      return prepared.execute(...args);
    },
  };
}
