import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import { createLogger, startServer, type RunningServer } from '../../src/server.js';
import type { Database } from '../../src/store/schema.js';
import { directory as defaultDirectory } from './fixtures.js';
import { createTestDatabase, type TestDatabase } from './pg-databases.js';

/** The store test servers run on: VCONF_TEST_STORE=postgres (the api-postgres project) or SQLite. */
export type TestStore = 'sqlite' | 'postgres';

export function testStore(): TestStore {
  return process.env.VCONF_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
}

export interface TestServer {
  running: RunningServer;
  /** host:port, what the SDK's `endpoint` takes. */
  endpoint: string;
  url: string;
  dataDir: string;
  store: TestStore;
  /** The running server's own database handle (SQLite or PostgreSQL), for looking at rows. */
  readonly db: Kysely<Database>;
  /** Stops and starts again on the same data directory (and the same port). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real vconf on loopback, on a fresh SQLite file in a temporary directory, or on a fresh
 * PostgreSQL database of its own (see testStore()), kept across restart() and dropped by stop().
 */
export async function startTestServer(opts: { directory?: unknown; config?: Partial<Config>; logger?: Logger } = {}): Promise<TestServer> {
  const store = testStore();
  const database: TestDatabase | undefined = store === 'postgres' ? await createTestDatabase() : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'vconf-test-'));
  const directoryFile = join(dataDir, 'directory.json');
  writeFileSync(directoryFile, JSON.stringify(opts.directory ?? defaultDirectory));
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    directoryFile,
    publicUrl: undefined,
    phoneNumbers: [],
    qpsLimit: 2000,
    logLevel: process.env.VCONF_TEST_LOG ?? 'silent',
    rtcListenIp: '127.0.0.1',
    rtcAnnouncedIp: undefined,
    // A random 200-port window per server, so test files running side by side rarely share ports.
    rtcPorts: rtcWindow(),
    database: database?.url,
    ...opts.config,
  };
  const logger = opts.logger ?? createLogger(config.logLevel);
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (err) {
    await database?.drop();
    throw err;
  }
  const t: TestServer = {
    running,
    endpoint: new URL(running.url).host,
    url: running.url,
    dataDir,
    store,
    get db() {
      return t.running.store.db;
    },
    async restart() {
      await running.close();
      running = await startServer({ ...config, port: Number(new URL(t.url).port) }, logger);
      t.running = running;
    },
    async stop() {
      try {
        await running.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        await database?.drop();
      }
    },
  };
  return t;
}

function rtcWindow(): [number, number] {
  const low = 20000 + 200 * Math.floor(Math.random() * 200);
  return [low, low + 199];
}
