import { defineConfig } from 'vitest/config';
import { unmet } from './test/support/requirements.js';

/**
 * Four projects, one suite, one file at a time. `browser` holds the files that drive Chromium and
 * ffmpeg or start instances as processes (test/e2e, test/cluster); `sqlite` runs every other file
 * on the embedded store; `api-postgres` runs the API suite (and the other suites whose servers or
 * stores follow VCONF_TEST_STORE) again on PostgreSQL, each test server on a database of its own,
 * plus the PostgreSQL-only suites in test/postgres; `own-process` the files that measure the process
 * itself. Files run one at a time (on two cores a second lane beside the media files made their timing
 * checks, SIPp menus, ramp-up of video, heartbeats, fail). Without PostgreSQL `api-postgres` runs only its marker suite, which records why it was
 * skipped (or fails the run under CI=true), as test/support/requirements.ts does for any suite.
 */
const MEDIA_LANE = ['test/e2e/**/*.test.ts', 'test/cluster/**/*.test.ts'];
/**
 * Files that measure the test process itself (its RSS): a project of their own, since the files of the
 * sqlite project share a fork (ONE_FORK, below) and vitest starts a fresh fork for each project. After
 * ~70 other files in the same fork, the flood test's RSS rose 250 MB where alone it rises < 30 MB.
 */
const OWN_PROCESS = ['test/hostile/flood.test.ts'];
/**
 * The files of the sqlite and api-postgres projects run in one fork per project: each file no longer
 * loads werift, Fastify and the SDK again (that took ~1.5 s a file, 219 s of a 1,426 s run); vitest
 * still evaluates the project's own modules afresh for each file. The browser project keeps a fork per
 * file: with one fork for all its files, the 300 kbit/s simulcast check failed both tries in a CI run.
 */
const ONE_FORK = { forks: { singleFork: true } };
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
        test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: ['test/postgres/**', ...MEDIA_LANE, ...OWN_PROCESS], poolOptions: ONE_FORK },
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
          poolOptions: ONE_FORK,
          globalSetup: ['./test/support/postgres-setup.ts'],
        },
      },
    ],
  },
});
