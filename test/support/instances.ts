/**
 * Several `vconf serve` processes (the built CLI) on one PostgreSQL database and one Redis, as a
 * deployment runs them: each with its own port, instance id and media port range. Real
 * processes, so a test can kill one with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../bench/support/server-process.js';
import { CLI, cliEnv, REPO_ROOT } from '../cli/run-cli.js';
import { directory as defaultDirectory } from './fixtures.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { REDIS_URL } from './requirements.js';

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
  /** Stops every instance still running and drops the database. */
  stop(): Promise<void>;
}

export interface InstancesOptions {
  count: number;
  /** Extra `vconf serve` flags for every instance. */
  flags?: string[];
  directory?: unknown;
  /** false: start without --redis (to see the refusal). */
  redis?: boolean;
}

export async function startInstances(opts: InstancesOptions): Promise<Instances> {
  const database = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'vconf-cluster-'));
  const directoryFile = join(dir, 'directory.json');
  writeFileSync(directoryFile, JSON.stringify(opts.directory ?? defaultDirectory));
  const list: Instance[] = [];
  // Media ports: a window per instance, disjoint, away from other suites' random windows.
  const base = 50000 + 300 * Math.floor(Math.random() * 40);
  for (let i = 0; i < opts.count; i++) {
    const port = await freePort();
    const args = [
      CLI, 'serve',
      '--host', '127.0.0.1',
      '--port', String(port),
      '--data', join(dir, `data-${i}`),
      '--directory', directoryFile,
      '--database', database.url,
      ...(opts.redis === false ? [] : ['--redis', REDIS_URL]),
      '--instance-id', `vconf-${i + 1}`,
      '--rtc-ports', `${base + 100 * i}-${base + 100 * i + 99}`,
      ...(opts.flags ?? []),
    ];
    const instance = launch(`vconf-${i + 1}`, port, args);
    list.push(instance);
    // One at a time: the first runs the migrations, the others find them done.
    await instance.restart();
  }
  return {
    list,
    database,
    async stop() {
      await Promise.all(list.map((i) => stopProcess(i)));
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
      const proc = spawn(process.execPath, args, { env: cliEnv({ VCONF_LOG_LEVEL: process.env.VCONF_TEST_LOG ?? 'warn' }), cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
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
