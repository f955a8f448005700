import { defineConfig } from 'vitest/config';
import { unmet } from './test/support/requirements.js';

/**
 * Four projects, one suite, one file at a time. `browser` holds the files that drive Chromium and
 * ffmpeg or start instances as processes (test/e2e, test/cluster); `sqlite` runs every other file
 * on the embedded store; `api-postgres` runs the API suite (and the other suites whose servers or
 * stores follow VCONF_TEST_STORE) again on PostgreSQL, each test server on a database of its own,
 * plus the PostgreSQL-only suites in test/postgres; `own-process` the files that measure the process
 * itself. Files run one at a time (on two cores a second lane beside the media files made their timing
 * checks, SIPp menus, ramp-up of video, heartbeats, fail), and the files of a project share one fork. Without PostgreSQL `api-postgres` runs only its marker suite, which records why it was
 * skipped (or fails the run under CI=true), as test/support/requirements.ts does for any suite.
 */
const MEDIA_LANE = ['test/e2e/**/*.test.ts', 'test/cluster/**/*.test.ts'];
/**
 * Files that measure the test process itself (its RSS): a project of their own, since files of one
 * project share a fork (isolate: false, below) and vitest starts a fresh fork for each project. After
 * ~70 other files in the same fork, the flood test's RSS rose 250 MB where alone it rises < 30 MB.
 */
const OWN_PROCESS = ['test/hostile/flood.test.ts'];
const POSTGRES_MARKER = 'test/postgres/available.test.ts';
const ON_POSTGRES = ['test/api/**/*.test.ts', 'test/events/events.test.ts', 'test/events/subscriptions.test.ts', 'test/events/outbox.test.ts', 'test/store/prepared.test.ts', 'test/store/meeting-settings.test.ts', 'test/store/metric-samples.test.ts', 'test/events/stream-mode.test.ts', 'test/events/encrypted-callbacks.test.ts', 'test/postgres/**/*.test.ts'];
const postgresReady = (await unmet('postgres')) === undefined;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One fork runs many files: each file no longer re-imports the server, werift and the SDK (that
    // collection took ~1.5 s per file, 219 s of a 1,426 s run). Every file closes what it starts.
    isolate: false,
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
        test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: ['test/postgres/**', ...MEDIA_LANE, ...OWN_PROCESS] },
      },
      {
        extends: true,
        test: { name: 'own-process', include: OWN_PROCESS },
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
