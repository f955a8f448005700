/**
 * Throw-away PostgreSQL databases for tests (tools/postgres-database.ts): each test server (or
 * store test) gets a database of its own, cloned from the template that the postgres project's
 * global setup migrated once.
 */
import { createTestDatabase as createDatabase, type TestDatabase } from '../../tools/postgres-database.js';

export { adminQuery, databaseUrl, type TestDatabase } from '../../tools/postgres-database.js';

/** Set by test/support/postgres-setup.ts: the migrated database new ones are cloned from. */
export const TEMPLATE_ENV = 'VCONF_TEST_PG_TEMPLATE';

/** A new database; from the migrated template when there is one (`fromTemplate: false`: empty). */
export function createTestDatabase(opts: { fromTemplate?: boolean } = {}): Promise<TestDatabase> {
  return createDatabase({ template: opts.fromTemplate === false ? undefined : process.env[TEMPLATE_ENV] });
}
