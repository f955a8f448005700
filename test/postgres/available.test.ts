/** The api-postgres project's marker: PostgreSQL is there for it (or the skip is recorded, or CI fails). */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { POSTGRES_URL, requires } from '../support/requirements.js';

const ready = await requires(import.meta.url, 'postgres');

describe.skipIf(!ready)('PostgreSQL for the api-postgres project', () => {
  it('answers at the test server URL, version 13 or later', async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
      expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(130000);
    } finally {
      await client.end();
    }
  });
});
