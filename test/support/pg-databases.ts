/**
 * Throw-away PostgreSQL databases for tests: each test server (or store test) gets a database of
 * its own, cloned from a template that the postgres project's global setup migrated once
 * (CREATE DATABASE … TEMPLATE copies files: far cheaper than running every migration again).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL } from './requirements.js';

/** Set by test/support/postgres-setup.ts: the migrated database new ones are cloned from. */
export const TEMPLATE_ENV = 'VCONF_TEST_PG_TEMPLATE';

export interface TestDatabase {
  /** postgres:// URL of the new database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** The URL of `name` on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A new database; from the migrated template when there is one (`fromTemplate: false`: empty). */
export async function createTestDatabase(opts: { fromTemplate?: boolean } = {}): Promise<TestDatabase> {
  const name = `vconf_t_${randomBytes(6).toString('hex')}`;
  const template = opts.fromTemplate === false ? undefined : process.env[TEMPLATE_ENV];
  await adminQuery(`create database ${name}${template ? ` template ${template}` : ''}`);
  return {
    name,
    url: databaseUrl(name),
    // FORCE: a test that failed half-way may have left a connection open.
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}
