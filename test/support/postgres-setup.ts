/**
 * Global setup of the api-postgres project: one migrated template database that every test
 * database of the run is cloned from (test/support/pg-databases.ts), dropped when the run ends.
 */
import { openPostgres } from '../../src/store/postgres.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { adminQuery, createTestDatabase, TEMPLATE_ENV } from './pg-databases.js';
import { unmet } from './requirements.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  // Without PostgreSQL the project runs only its marker suite, which records the skip (vitest.config.ts).
  if (await unmet('postgres')) return undefined;
  const template = await createTestDatabase({ fromTemplate: false });
  const store = openPostgres(template.url, { poolSize: 2 });
  try {
    await migrateToLatest(store.db);
  } finally {
    await store.db.destroy();
  }
  // Cloning needs the template free of connections; marking it a template keeps it so.
  await adminQuery(`alter database ${template.name} with is_template true`);
  process.env[TEMPLATE_ENV] = template.name;
  return async () => {
    await adminQuery(`alter database ${template.name} with is_template false`);
    await template.drop();
  };
}
