import { defineConfig } from 'vitest/config';
import { unmet } from './test/support/requirements.js';

/**
 * Three projects, one suite, one file at a time. `browser` holds the files that drive Chromium and
 * ffmpeg or start instances as processes (test/e2e, test/cluster); `sqlite` runs every other file
 * on the embedded store; `api-postgres` runs the API suite (and the other suites whose servers or
 * stores follow VCONF_TEST_STORE) again on PostgreSQL, each test server on a database of its own,
 * plus the PostgreSQL-only suites in test/postgres. Files run one at a time, each in a fork of its
 * own: on two cores a second lane beside the media files made their timing checks (SIPp menus,
 * ramp-up of video, heartbeats) fail, so the run is longer but honest (see BENCHMARKS.md for the
 * time). Without PostgreSQL `api-postgres` runs only its marker suite, which records why it was
 * skipped (or fails the run under CI=true), as test/support/requirements.ts does for any suite.
 */
const MEDIA_LANE = ['test/e2e/**/*.test.ts', 'test/cluster/**/*.test.ts'];
const POSTGRES_MARKER = 'test/postgres/available.test.ts';
const ON_POSTGRES = ['test/api/**/*.test.ts', 'test/events/events.test.ts', 'test/events/subscriptions.test.ts', 'test/events/outbox.test.ts', 'test/store/prepared.test.ts', 'test/store/meeting-settings.test.ts', 'test/store/metric-samples.test.ts', 'test/events/stream-mode.test.ts', 'test/events/encrypted-callbacks.test.ts', 'test/postgres/**/*.test.ts'];
const postgresReady = (await unmet('postgres')) === undefined;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file at a time (see above).
    maxWorkers: 1,
    minWorkers: 1,
    globalSetup: ['./test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'browser', include: MEDIA_LANE },
      },
      {
        extends: true,
        test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: ['test/postgres/**', ...MEDIA_LANE] },
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
