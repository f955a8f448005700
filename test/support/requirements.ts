/**
 * What a suite needs from the machine (a database server, Redis, Chromium, a Debian tool), and
 * what happens when it is missing: on a developer's machine the suite is skipped and the run's
 * last lines say which and why; with CI=true a missing part fails the run, so CI never passes
 * by skipping.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, appendFileSync, constants } from 'node:fs';
import { basename } from 'node:path';

export { POSTGRES_URL } from '../../tools/postgres-database.js';
import { POSTGRES_URL } from '../../tools/postgres-database.js';
export { REDIS_URL } from '../../tools/cluster.js';
import { REDIS_URL } from '../../tools/cluster.js';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type Requirement = 'postgres' | 'redis' | 'chromium' | 'root' | `tool:${string}`;

/** Where requirements.ts records skips for the summary reporter (set by test/support/global-setup.ts). */
export const SKIPS_FILE_ENV = 'VCONF_TEST_SKIPS_FILE';

const probes: Record<string, Promise<string | undefined>> = {};

/** undefined when available; otherwise why not. */
function probe(need: Requirement): Promise<string | undefined> {
  probes[need] ??= (async () => {
    if (need === 'postgres') return probePostgres();
    if (need === 'redis') return probeRedis();
    if (need === 'chromium') return probeExecutable(CHROMIUM_PATH, 'Chromium', 'apt-get install -y chromium (or set CHROMIUM_PATH)');
    if (need === 'root') return process.getuid?.() === 0 ? undefined : 'needs root (network namespaces, nftables): run the tests as root, e.g. in CI';
    const tool = need.slice('tool:'.length);
    return probeTool(tool);
  })();
  return probes[need];
}

async function probePostgres(): Promise<string | undefined> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${POSTGRES_URL} is not reachable (${(err as Error).message}); start PostgreSQL 15 or set VCONF_TEST_POSTGRES`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(): Promise<string | undefined> {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (err) {
    return `Redis at ${REDIS_URL} is not reachable (${(err as Error).message}); start Redis 7 or set VCONF_TEST_REDIS`;
  } finally {
    client.disconnect();
  }
}

function probeExecutable(path: string, what: string, howToGet: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return `${what} is not at ${path}; ${howToGet}`;
  }
}

function probeTool(tool: string): string | undefined {
  try {
    execFileSync('sh', ['-c', `command -v ${JSON.stringify(tool)}`], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${tool} is not installed; apt-get install -y ${DEBIAN_PACKAGE[tool] ?? tool}`;
  }
}

/** The Debian package that brings each tool a test runs. */
const DEBIAN_PACKAGE: Record<string, string> = { ffmpeg: 'ffmpeg', ffprobe: 'ffmpeg', turnserver: 'coturn', nft: 'nftables', ip: 'iproute2', certutil: 'libnss3-tools', openssl: 'openssl', sipp: 'sip-tester', 'espeak-ng': 'espeak-ng', janus: 'janus' };

/** undefined when `need` is met on this machine; otherwise why not (records nothing). */
export function unmet(need: Requirement): Promise<string | undefined> {
  return probe(need);
}

/**
 * Resolves to true when every requirement is met. Otherwise records the skip for the summary
 * and resolves to false — or, with CI=true, throws, failing the suite. Use at a test file's top
 * level: `const ready = await requires(import.meta.url, 'postgres'); describe.skipIf(!ready)(…)`.
 */
export async function requires(suite: string, ...needs: Requirement[]): Promise<boolean> {
  const missing = (await Promise.all(needs.map(probe))).filter((r): r is string => r !== undefined);
  if (missing.length === 0) return true;
  const name = basename(new URL(suite, 'file:///').pathname);
  if (process.env.CI === 'true') throw new Error(`${name} needs what this machine lacks (CI=true skips nothing): ${missing.join('; ')}`);
  const file = process.env[SKIPS_FILE_ENV];
  if (file) appendFileSync(file, `${JSON.stringify({ suite: name, reasons: missing })}\n`);
  return false;
}
