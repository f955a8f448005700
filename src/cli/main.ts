#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, resolveConfig, serveOptions } from '../config.js';
import { Rejection } from '../domain/rejection.js';
import { checkCallbacks, readDirectoryFile, startServer } from '../server.js';
import { SqlDirectoryRepository } from '../store/directory-repo.js';
import { openStore } from '../store/open-store.js';
import { demoBanner } from './demo.js';
import { userLink, userPassword } from './user.js';

const usage = `vconf — self-hosted video meetings that speak DingTalk's conference API

Usage:
  vconf serve [options]                 start the server
  vconf directory import FILE [--data DIR | --database URL]
                                        create and update orgs, users, apps and suites from FILE
  vconf user password UNIONID          read a password from stdin, print its passwordHash line
  vconf user link UNIONID [--corp CORPID] [--data DIR | --database URL] [--public-url URL]
                                        print a one-time web sign-in link (15 minutes)

Options of serve (each also an environment variable):
${Object.entries(serveOptions)
  .map(([name, o]) => `  --${name.padEnd(20)} ${o.env.padEnd(20)} ${o.help}${o.default ? ` (default ${o.default})` : ''}`)
  .join('\n')}
`;

async function serve(argv: string[]): Promise<void> {
  const config = resolveConfig(argv);
  const server = await startServer(config);
  if (server.demo) process.stdout.write(demoBanner(server.demo, server.url));
  process.stdout.write(`\nvconf is listening on ${server.url} (API docs: ${server.url}/docs)\n`);
  if (server.redirectUrl) process.stdout.write(`plain HTTP on ${server.redirectUrl} redirects to HTTPS\n`);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    // SIGTERM drains: participants move to other instances before this one exits.
    (signal === 'SIGTERM' ? server.drain() : server.close()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // After renewing the certificate: `kill -HUP <pid>` (or systemctl reload) serves it without a restart.
  // (Only with TLS: otherwise SIGHUP keeps its default meaning.)
  if (config.tls) {
    const certFile = config.tls.certFile;
    process.on('SIGHUP', () => {
      server.reloadTls().then(
        () => server.app.log.info({ cert: certFile }, 'TLS certificate reloaded'),
        (err: unknown) => server.app.log.error({ err: err instanceof Error ? err.message : String(err) }, 'TLS certificate not reloaded; the previous one stays'),
      );
    });
  }
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function directoryImport(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' }, database: { type: 'string' } }, allowPositionals: true });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new ConfigError('usage: vconf directory import FILE [--data DIR | --database URL]');
  const config = resolveConfig([...(values.data ? ['--data', values.data] : []), ...(values.database ? ['--database', values.database] : [])]);
  // Validate first, so a bad file leaves the data directory untouched (not even created).
  const doc = await readDirectoryFile(file);
  // Only the store is needed: no server, no media.
  const store = await openStore(config);
  try {
    const repo = new SqlDirectoryRepository(store.db);
    await checkCallbacks(doc, repo);
    const s = await repo.apply(doc);
    process.stdout.write(`applied ${file}: ${s.orgs} orgs, ${s.users} users, ${s.apps} apps, ${s.suites} suites\n`);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'serve') return serve(rest);
  if (command === 'directory' && rest[0] === 'import') return directoryImport(rest.slice(1));
  if (command === 'user' && rest[0] === 'password') return userPassword(rest.slice(1));
  if (command === 'user' && rest[0] === 'link') return userLink(rest.slice(1));
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return;
  }
  throw new ConfigError(`unknown command "${argv.join(' ')}"\n\n${usage}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Usage mistakes (bad values, unknown flags, missing files) get a message and exit code 2, not a stack.
  const code = String((err as { code?: unknown }).code ?? '');
  const known = err instanceof ConfigError || err instanceof Rejection || code === 'ENOENT' || code.startsWith('ERR_PARSE_ARGS_');
  process.stderr.write(`vconf: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exit(known ? 2 : 1);
});
