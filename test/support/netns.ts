/**
 * Throwaway networks for tests (root only): network namespaces joined to this one by veth pairs,
 * nftables rules inside them, and Chromium started inside one. Only addresses in 10.123.0.0/16
 * that the test itself assigns are used; deleting a namespace deletes its veth pairs and rules.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH } from './requirements.js';

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
}

export function ip(...args: string[]): string {
  return run('ip', args);
}

/** Runs `nft -f -` with `rules` inside the namespace. */
export function nftIn(ns: string, rules: string): void {
  run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], rules);
}

/** The test's networks, with everything they created, removed by close(). */
export class TestNetworks {
  private readonly namespaces: string[] = [];
  /** A temporary directory removed by close(). */
  readonly dir = mkdtempSync(join(tmpdir(), 'vconf-netns-'));

  constructor() {
    // Namespaces an earlier run left behind (killed before its clean-up): ours by name, their process gone.
    for (const ns of ip('netns', 'list').split('\n').map((l) => l.split(' ')[0] ?? '')) {
      const pid = /^vc(\d+)-/.exec(ns)?.[1];
      if (pid && !alive(Number(pid))) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // someone else's clean-up got there first
        }
      }
    }
  }

  /** A namespace with loopback up. `name` is made unique per process. */
  namespace(name: string): string {
    const ns = `vc${process.pid}-${name}`.slice(0, 15);
    ip('netns', 'add', ns);
    this.namespaces.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    return ns;
  }

  /**
   * A veth pair between `a` and `b` (namespace names, or undefined for this one), with `addrA`/`addrB`
   * (CIDR) on each end. Returns the interface names.
   */
  link(a: string | undefined, addrA: string, b: string, addrB: string, tag: string): { ifA: string; ifB: string } {
    const ifA = `v${process.pid % 100000}${tag}a`;
    const ifB = `v${process.pid % 100000}${tag}b`;
    ip('link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB);
    ip('link', 'set', ifB, 'netns', b);
    if (a) ip('link', 'set', ifA, 'netns', a);
    const on = (ns: string | undefined) => (ns ? ['-n', ns] : []);
    ip(...on(a), 'addr', 'add', addrA, 'dev', ifA);
    ip(...on(a), 'link', 'set', ifA, 'up');
    ip(...on(b), 'addr', 'add', addrB, 'dev', ifB);
    ip(...on(b), 'link', 'set', ifB, 'up');
    return { ifA, ifB };
  }

  /** A script that runs Chromium inside `ns` (playwright-core's executablePath). */
  chromiumIn(ns: string): string {
    const file = join(this.dir, `chromium-${ns}.sh`);
    writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_PATH} "$@"\n`);
    chmodSync(file, 0o755);
    return file;
  }

  close(): void {
    for (const ns of this.namespaces.splice(0)) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** coturn with TURN REST credentials (use-auth-secret), on one address, UDP and TCP (and TLS if asked); stopped by kill(). */
export async function startCoturn(opts: {
  ip: string;
  port: number;
  secret: string;
  relayPorts: [number, number];
  dir: string;
  /** TURN over TLS (turns:) on `port`, with this certificate chain and key. */
  tls?: { port: number; certFile: string; keyFile: string };
}): Promise<ChildProcess & { output(): string }> {
  const child = spawn(
    'turnserver',
    [
      '-n', // no configuration file
      '--listening-ip', opts.ip,
      '--relay-ip', opts.ip,
      '--listening-port', String(opts.port),
      '--min-port', String(opts.relayPorts[0]),
      '--max-port', String(opts.relayPorts[1]),
      '--use-auth-secret',
      '--static-auth-secret', opts.secret,
      '--realm', 'vconf.test',
      '--fingerprint',
      ...(opts.tls ? ['--tls-listening-port', String(opts.tls.port), '--cert', opts.tls.certFile, '--pkey', opts.tls.keyFile] : ['--no-tls']),
      '--no-dtls',
      '--no-cli',
      '--no-software-attribute',
      '--log-file', 'stdout',
      '--simple-log',
      // Its own files, not /var/run/turnserver.pid and /var/lib/turn/turndb.
      '--pidfile', join(opts.dir, 'turnserver.pid'),
      '--db', join(opts.dir, 'turndb'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 10_000;
  // Ready once it listens on its TCP port.
  while (!ssListening(opts.ip, opts.port)) {
    if (child.exitCode !== null) throw new Error(`turnserver exited: ${out.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`turnserver did not start: ${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return Object.assign(child, { output: () => out });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ssListening(address: string, port: number): boolean {
  try {
    return run('ss', ['-Hltn', `src ${address}:${port}`]).trim().length > 0;
  } catch {
    return false;
  }
}
