import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { janusConfigFiles } from './janus-config.js';

/** Debian's Janus 1.1 (`apt-get install janus`). */
export const JANUS_BIN = '/usr/bin/janus';
export const JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus';

export interface JanusServer {
  pid: number;
  /** Base URL of the Janus HTTP API, e.g. http://127.0.0.1:PORT/janus */
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts Janus on a generated configuration in a temporary directory (only VideoRoom and HTTP are
 * loaded: the plugin and transport folders hold symlinks to just those) and waits until its API answers.
 */
export async function startJanus(): Promise<JanusServer> {
  if (!existsSync(JANUS_BIN)) throw new Error(`${JANUS_BIN} not found: apt-get install -y janus`);
  const dir = await mkdtemp(join(tmpdir(), 'vconf-janus-'));
  const folders = {
    configs: join(dir, 'conf'),
    plugins: join(dir, 'plugins'),
    transports: join(dir, 'transports'),
    events: join(dir, 'events'),
    loggers: join(dir, 'loggers'),
  };
  for (const f of Object.values(folders)) await mkdir(f);
  await symlink(join(JANUS_LIB, 'plugins', 'libjanus_videoroom.so'), join(folders.plugins, 'libjanus_videoroom.so'));
  await symlink(join(JANUS_LIB, 'transports', 'libjanus_http.so'), join(folders.transports, 'libjanus_http.so'));
  const port = await freePort();
  for (const [name, text] of Object.entries(janusConfigFiles(folders, port))) await writeFile(join(folders.configs, name), text);

  const child: ChildProcess = spawn(JANUS_BIN, ['-C', join(folders.configs, 'janus.jcfg'), '-F', folders.configs, '-o'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/janus`;
  const deadline = performance.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`janus exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(`${url}/info`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`janus did not answer on ${url}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
