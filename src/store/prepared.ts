import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/**
 * A Kysely query built and compiled once, with marker values where the arguments go; each run
 * binds its own arguments and executes the compiled SQL. Building and compiling cost a point read
 * or two per query, and on the hot paths they were paid again on every call. Works on any dialect:
 * only the parameters change, never the SQL.
 */
export interface PreparedQuery<R> {
  execute(...args: readonly unknown[]): Promise<R[]>;
}

/** `build` receives one marker per argument and uses each as the value it stands for. */
export function prepareQuery<DB, R>(db: Kysely<DB>, arity: number, build: (...markers: string[]) => Compilable<R>): PreparedQuery<R> {
  const markers = Array.from({ length: arity }, (_, i) => `\u0000arg${i}\u0000`);
  const compiled = build(...markers).compile();
  const slots = compiled.parameters.map((p) => markers.indexOf(p as string));
  if (markers.some((_, i) => !slots.includes(i))) throw new Error('a prepared query must use every marker');
  return {
    async execute(...args) {
      if (args.length !== arity) throw new Error(`expected ${arity} arguments, got ${args.length}`);
      const parameters = slots.map((slot, i) => (slot < 0 ? compiled.parameters[i] : args[slot]));
      const query: CompiledQuery<R> = { ...compiled, parameters };
      return (await db.executeQuery(query)).rows;
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
