#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, resolveConfig, serveOptions } from '../config.js';
import { createContext } from '../context.js';
import { Rejection } from '../domain/rejection.js';
import { importDirectoryFile, startServer } from '../server.js';
import { demoBanner } from './demo.js';

const usage = `vconf — self-hosted video meetings that speak DingTalk's conference API

Usage:
  vconf serve [options]                 start the server
  vconf directory import FILE [--data DIR]
                                        create and update orgs, users, apps and suites from FILE

Options of serve (each also an environment variable):
${Object.entries(serveOptions)
  .map(([name, o]) => `  --${name.padEnd(15)} ${o.env.padEnd(20)} ${o.help}${o.default ? ` (default ${o.default})` : ''}`)
  .join('\n')}
`;

async function serve(argv: string[]): Promise<void> {
  const config = resolveConfig(argv);
  const server = await startServer(config);
  if (server.demo) process.stdout.write(demoBanner(server.demo, server.url));
  process.stdout.write(`\nvconf is listening on ${server.url} (API docs: ${server.url}/docs)\n`);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function directoryImport(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' } }, allowPositionals: true });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new ConfigError('usage: vconf directory import FILE [--data DIR]');
  const config = resolveConfig(values.data ? ['--data', values.data] : []);
  const ctx = await createContext(config);
  try {
    const s = await importDirectoryFile(ctx, file);
    process.stdout.write(`applied ${file}: ${s.orgs} orgs, ${s.users} users, ${s.apps} apps, ${s.suites} suites\n`);
  } finally {
    await ctx.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'serve') return serve(rest);
  if (command === 'directory' && rest[0] === 'import') return directoryImport(rest.slice(1));
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return;
  }
  throw new ConfigError(`unknown command "${argv.join(' ')}"\n\n${usage}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof Rejection || (err as { code?: string }).code === 'ENOENT';
  process.stderr.write(`vconf: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exit(known ? 2 : 1);
});
