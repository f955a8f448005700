/**
 * Looking at a test server's rows, and breaking its writes, the same way on SQLite and PostgreSQL:
 * through the server's own Kysely handle, so the SQL gets each dialect's placeholders.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from '../../src/store/dialect.js';

/** Row values as SQLite gives them: PostgreSQL's booleans as 1/0, so one expectation fits both. */
function asSqliteValues<T>(row: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v])) as T;
}

export async function rowsOf<T>(db: Kysely<any>, query: RawBuilder<unknown>): Promise<T[]> {
  return (await query.execute(db)).rows.map((r) => asSqliteValues<T>(r as Record<string, unknown>));
}

export async function rowOf<T>(db: Kysely<any>, query: RawBuilder<unknown>): Promise<T | undefined> {
  return (await rowsOf<T>(db, query))[0];
}

/** Row counts of every table of vconf's (and Kysely's migration tables). */
export async function tableCounts(db: Kysely<any>): Promise<Record<string, number>> {
  const tables = isPostgres(db)
    ? await rowsOf<{ name: string }>(db, sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)
    : await rowsOf<{ name: string }>(db, sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`);
  const names = tables.map((t) => t.name).sort();
  const row = await rowOf<Record<string, number | string>>(db, sql.raw(`select ${names.map((t) => `(select count(*) from "${t}") as "${t}"`).join(', ')}`));
  return Object.fromEntries(names.map((t) => [t, Number(row?.[t] ?? 0)]));
}

/**
 * Makes every INSERT into `table` whose `column` equals `value` fail, as a broken disk or a bug
 * would, until the returned function is called. A trigger, so the failure comes from the database.
 */
export async function failInserts(db: Kysely<any>, table: string, column: string, value: string, message: string): Promise<() => Promise<void>> {
  const name = `fail_${table}_${Math.random().toString(36).slice(2, 8)}`;
  const literal = `'${value.replaceAll("'", "''")}'`;
  const text = `'${message.replaceAll("'", "''")}'`;
  if (isPostgres(db)) {
    await sql
      .raw(
        `create function ${name}() returns trigger language plpgsql as $$ begin if new.${column} = ${literal} then raise exception ${text}; end if; return new; end $$`,
      )
      .execute(db);
    await sql.raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`).execute(db);
    return async () => {
      await sql.raw(`drop trigger ${name} on ${table}`).execute(db);
      await sql.raw(`drop function ${name}()`).execute(db);
    };
  }
  await sql.raw(`create trigger ${name} before insert on ${table} when new.${column} = ${literal} begin select raise(abort, ${text}); end`).execute(db);
  return async () => {
    await sql.raw(`drop trigger ${name}`).execute(db);
  };
}
