/**
 * Several `vconf serve` processes (the built CLI) on one PostgreSQL database and one Redis, as a
 * deployment runs them: each with its own port, instance id and media port range. Real
 * processes, so a test can kill one with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../bench/support/server-process.js';
import { startBalancer, type Balancer } from './balancer.js';
import { createTestDatabase, type TestDatabase } from './postgres-database.js';

/** The repository: this file runs from tools/ (vitest) or dist/tools/ (benchmarks). */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = HERE.includes('/dist/') ? HERE.slice(0, HERE.lastIndexOf('/dist/')) : resolve(HERE, '..');
const CLI = resolve(ROOT, 'dist/src/cli/main.js');
export const REDIS_URL = process.env.VCONF_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** The environment without the caller's VCONF_* settings. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VCONF_')));
  return { ...env, ...extra };
}

export interface Instance {
  id: string;
  url: string;
  endpoint: string;
  port: number;
  proc: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
  /** Starts this instance again (same id, port and flags) after it stopped. */
  restart(): Promise<void>;
}

export interface Instances {
  list: Instance[];
  database: TestDatabase;
  /** The one public address in front of them; join links point here. */
  balancer: Balancer;
  /** Reads the deployment's database directly (what the records really hold). */
  query<T extends object>(text: string, values?: unknown[]): Promise<T[]>;
  /** What an instance last told the others about itself (its heartbeat in Redis). */
  instanceInfo(id: string): Promise<{ rooms: number; participants: number; userPages: number; draining: boolean } | undefined>;
  /** The instance id the room directory names as the meeting's host (undefined: none). */
  roomHost(conferenceId: string): Promise<string | undefined>;
  /** A second public address whose connections go to instance `index` while it lives, then to the others. */
  entryThrough(index: number): Promise<Balancer>;
  /** Stops every instance still running and drops the database. */
  stop(): Promise<void>;
}

export interface InstancesOptions {
  count: number;
  /** Extra `vconf serve` flags for every instance. */
  flags?: string[];
  /** The directory document every instance applies at start. */
  directory: unknown;
  /** false: start without --redis (to see the refusal). */
  redis?: boolean;
}

export async function startInstances(opts: InstancesOptions): Promise<Instances> {
  const database = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'vconf-cluster-'));
  const directoryFile = join(dir, 'directory.json');
  writeFileSync(directoryFile, JSON.stringify(opts.directory));
  const list: Instance[] = [];
  // Media ports: a window per instance, disjoint, away from other suites' random windows.
  const base = 50000 + 300 * Math.floor(Math.random() * 40);
  const ports: number[] = [];
  for (let i = 0; i < opts.count; i++) ports.push(await freePort());
  const balancer = await startBalancer(ports.map((port) => ({ port })));
  for (let i = 0; i < opts.count; i++) {
    const port = ports[i]!;
    const args = [
      CLI, 'serve',
      '--host', '127.0.0.1',
      '--port', String(port),
      '--data', join(dir, `data-${i}`),
      '--directory', directoryFile,
      '--database', database.url,
      ...(opts.redis === false ? [] : ['--redis', REDIS_URL]),
      '--instance-id', `vconf-${i + 1}`,
      '--public-url', balancer.url,
      '--rtc-ports', `${base + 100 * i}-${base + 100 * i + 99}`,
      ...(opts.flags ?? []),
    ];
    const instance = launch(`vconf-${i + 1}`, port, args);
    list.push(instance);
    // One at a time: the first runs the migrations, the others find them done.
    await instance.restart();
  }
  const entries: Balancer[] = [];
  return {
    list,
    database,
    balancer,
    async query<T extends object>(text: string, values: unknown[] = []) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query(text, values)).rows as T[];
      } finally {
        await client.end();
      }
    },
    async roomHost(conferenceId) {
      return (await redisGet(database.url, `room:${conferenceId}`)) ?? undefined;
    },
    async instanceInfo(id) {
      const info = await redisGet(database.url, `instance:${id}`);
      return info ? JSON.parse(info) : undefined;
    },
    async entryThrough(index) {
      const entry = await startBalancer(ports.map((port) => ({ port })), index);
      entries.push(entry);
      return entry;
    },
    async stop() {
      await Promise.all([balancer, ...entries].map((b) => b.close()));
      await Promise.all(list.map((i) => stopProcess(i)));
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A key of the deployment's namespace in Redis (its id is in the database). */
async function redisGet(databaseUrl: string, key: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ value: string }>(`select value from meta where name = 'deployment_id'`).finally(() => client.end());
  const redis = new Redis(REDIS_URL);
  try {
    return await redis.get(`vconf:${rows[0]!.value}:${key}`);
  } finally {
    redis.disconnect();
  }
}

function launch(id: string, port: number, args: string[]): Instance {
  const url = `http://127.0.0.1:${port}`;
  let err = '';
  const instance: Instance = {
    id,
    url,
    endpoint: `127.0.0.1:${port}`,
    port,
    proc: undefined as unknown as ChildProcess,
    exited: Promise.resolve(null),
    stderr: () => err,
    async restart() {
      const proc = spawn(process.execPath, args, { env: cleanEnv({ VCONF_LOG_LEVEL: process.env.VCONF_TEST_LOG ?? 'warn' }), cwd: ROOT, stdio: ['ignore', process.env.VCONF_TEST_LOG ? 'pipe' : 'ignore', 'pipe'] });
      proc.stdout?.on('data', (chunk: Buffer) => process.stderr.write(`[${id}] ${chunk.toString()}`));
      proc.stderr!.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        if (process.env.VCONF_TEST_LOG) process.stderr.write(`[${id}] ${chunk.toString()}`);
      });
      instance.proc = proc;
      instance.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
      await waitReady(url, instance.exited, () => err);
    },
  };
  return instance;
}

async function waitReady(url: string, exited: Promise<number | null>, stderr: () => string): Promise<void> {
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (code !== undefined) throw new Error(`vconf exited (${code}) before it answered: ${stderr()}`);
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`vconf at ${url} did not answer within 30 s: ${stderr()}`);
}

async function stopProcess(instance: Instance): Promise<void> {
  const proc = instance.proc;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await instance.exited;
  clearTimeout(timer);
}
