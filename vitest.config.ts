import { defineConfig } from 'vitest/config';
import { unmet } from './test/support/requirements.js';

/**
 * Two projects, one suite. `sqlite` runs every test file on the embedded store. `api-postgres`
 * runs the API suite (and the other suites whose servers or stores follow VCONF_TEST_STORE) again
 * on PostgreSQL, each test server on a database of its own, plus the PostgreSQL-only suites in
 * test/postgres. Without PostgreSQL it runs only its marker suite, which records why it was
 * skipped (or fails the run under CI=true), as test/support/requirements.ts does for any suite.
 */
const POSTGRES_MARKER = 'test/postgres/available.test.ts';
const ON_POSTGRES = ['test/api/**/*.test.ts', 'test/events/events.test.ts', 'test/events/subscriptions.test.ts', 'test/events/outbox.test.ts', 'test/store/prepared.test.ts', 'test/store/meeting-settings.test.ts', 'test/store/metric-samples.test.ts', 'test/events/stream-mode.test.ts', 'test/events/encrypted-callbacks.test.ts', 'test/postgres/**/*.test.ts'];
const postgresReady = (await unmet('postgres')) === undefined;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['./test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: ['test/postgres/**'] },
      },
      {
        extends: true,
        test: {
          name: 'api-postgres',
          include: postgresReady ? ON_POSTGRES : [POSTGRES_MARKER],
          env: { VCONF_TEST_STORE: 'postgres' },
          globalSetup: ['./test/support/postgres-setup.ts'],
        },
      },
    ],
  },
});
