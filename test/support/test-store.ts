/** A store of its own for a test: a fresh SQLite directory, or a fresh PostgreSQL database (VCONF_TEST_STORE). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/open-store.js';
import { createTestDatabase } from './pg-databases.js';
import { testStore } from './server.js';

export interface TestStore {
  store: Store;
  /** Another instance's connection to the same database, migrated like the first. */
  another(): Promise<Store>;
  /** Closes every store opened here and removes the database. */
  close(): Promise<void>;
}

export async function openTestStore(prefix = 'vconf-store-'): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const database = testStore() === 'postgres' ? await createTestDatabase() : undefined;
  const config = { dataDir, database: database?.url };
  const opened: Store[] = [await openStore(config)];
  return {
    store: opened[0]!,
    async another() {
      const s = await openStore(config);
      opened.push(s);
      return s;
    },
    async close() {
      for (const s of opened.reverse()) await s.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}
