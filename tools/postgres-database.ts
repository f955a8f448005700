/**
 * Throw-away PostgreSQL databases for tests, the cluster launcher and benchmarks: each gets a
 * database of its own on one server, dropped afterwards. A template (a database migrated once)
 * makes new ones cheap: CREATE DATABASE … TEMPLATE copies files instead of running migrations.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests and benchmarks use (trust auth, database `test` on this kind of machine). */
export const POSTGRES_URL = process.env.VCONF_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** postgres:// URL of the new database. */
  url: string;
  name: string;
  /** Rows of each table now. */
  count(tables: readonly string[]): Promise<Record<string, number>>;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, use: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Runs one statement on the server's administrative database. */
export async function adminQuery(text: string, server = POSTGRES_URL): Promise<void> {
  await withClient(server, (c) => c.query(text));
}

/** The URL of database `name` on `server`. */
export function databaseUrl(name: string, server = POSTGRES_URL): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface DatabaseOptions {
  /** Server to create it on (its URL names any database there); default VCONF_TEST_POSTGRES. */
  server?: string;
  /** A database to copy (already migrated); default: an empty one. */
  template?: string | undefined;
  /** Name prefix, so leftovers say what made them. */
  prefix?: string;
}

export async function createTestDatabase(opts: DatabaseOptions = {}): Promise<TestDatabase> {
  const server = opts.server ?? POSTGRES_URL;
  const name = `${opts.prefix ?? 'vconf_t'}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}${opts.template ? ` template ${opts.template}` : ''}`, server);
  const url = databaseUrl(name, server);
  return {
    url,
    name,
    count: (tables) =>
      withClient(url, async (c) => {
        const counts: Record<string, number> = {};
        for (const t of tables) counts[t] = Number((await c.query<{ n: string }>(`select count(*) as n from ${t}`)).rows[0]!.n);
        return counts;
      }),
    // FORCE: a test that failed half-way may have left a connection open.
    drop: () => adminQuery(`drop database if exists ${name} with (force)`, server),
  };
}
