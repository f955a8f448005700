import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/src/cli/main.js, found from this file's place in dist/bench/support/. */
const CLI = resolve(fileURLToPath(import.meta.url), '../../../src/cli/main.js');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ServerProcess {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  dataDir: string;
  pid: number;
  /** SIGTERM, then SIGKILL if it does not exit in time; removes the temporary data unless kept. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export interface ServerOptions {
  /** The directory document written to a temporary file and passed with --directory. */
  directory: unknown;
  qpsLimit: number;
  /** Extra flags for node itself, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeFlags?: string[];
  /** postgres:// URL of the database to serve from (--database); default: SQLite in the data directory. */
  database?: string;
  /** More `vconf serve` flags, e.g. --sip-listen. */
  extraArgs?: string[];
}

/** An unused loopback port: bind port 0, read what the kernel chose, release it. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/** Starts `vconf serve` in its own process on a fresh data directory and waits for /healthz. */
export async function startServerProcess(opts: ServerOptions): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vconf-bench-'));
  const directoryFile = join(dataDir, 'directory.json');
  writeFileSync(directoryFile, JSON.stringify(opts.directory));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    ...(opts.nodeFlags ?? []),
    CLI,
    'serve',
    '--data', dataDir,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--directory', directoryFile,
    '--qps-limit', String(opts.qpsLimit),
    '--log-level', 'warn',
    ...(opts.database ? ['--database', opts.database] : []),
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stop = async ({ keepData = false } = {}) => {
    await terminate(child, exited);
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitHealthy(url, exited);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, dataDir, pid: child.pid ?? -1, stop };
}

async function waitHealthy(url: string, exited: Promise<number | null>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) throw new Error('vconf exited before it became healthy');
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`vconf did not answer ${url}/healthz within ${START_TIMEOUT_MS} ms`);
}

async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
