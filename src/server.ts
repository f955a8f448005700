import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp } from './api/app.js';
import { demoCredentials, demoDirectory, type DemoCredentials } from './cli/demo.js';
import { ConfigError, type Config } from './config.js';
import { createContext, type Context } from './context.js';
import { parseDirectory, type DirectoryDocument } from './domain/directory.js';
import { Rejection } from './domain/rejection.js';
import { checkNewCallbacks, CheckUrlFailed } from './events/encrypted-callback.js';
import type { ImportSummary } from './domain/ports/index.js';

const TOKEN_PURGE_INTERVAL_MS = 3600_000;

export interface RunningServer {
  app: FastifyInstance;
  ctx: Context;
  /** Where the server listens, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Set when this data directory runs on the demo organization. */
  demo: DemoCredentials | undefined;
  close(): Promise<void>;
  /** Stops taking rooms, moves everyone in this instance's rooms to others, then closes. */
  drain(): Promise<void>;
}

/** Reads and validates a directory file without touching any database. */
export async function readDirectoryFile(file: string): Promise<DirectoryDocument> {
  const text = await readFile(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // A user's file, not a bug: reported like other bad input (no stack trace, exit code 2).
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return parseDirectory(parsed);
  } catch (err) {
    if (err instanceof Rejection) throw new ConfigError(`${file}: ${err.detail}`);
    throw err;
  }
}

/** Reads, validates and applies a directory file (creates and updates; never deletes). */
export async function importDirectoryFile(ctx: Context, file: string): Promise<ImportSummary> {
  const doc = await readDirectoryFile(file);
  await checkCallbacks(doc, ctx.directory);
  return ctx.directory.apply(doc);
}

/** Encrypted callbacks new in `doc` must pass DingTalk's check_url handshake first (docs/events.md). */
export async function checkCallbacks(doc: DirectoryDocument, directory: Pick<Context['directory'], 'findApp'>): Promise<void> {
  try {
    await checkNewCallbacks(doc, (appKey) => directory.findApp(appKey));
  } catch (err) {
    if (err instanceof CheckUrlFailed) throw new ConfigError(err.message);
    throw err;
  }
}

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'vconf' } });
}

export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const ctx = await createContext(config, logger);
  try {
    if (config.directoryFile) {
      const summary = await importDirectoryFile(ctx, config.directoryFile);
      logger.info({ file: config.directoryFile, ...summary }, 'directory applied');
    } else if ((await ctx.directory.countOrgs()) === 0) {
      await ctx.directory.apply(demoDirectory());
      logger.info('empty data directory: demo organization created');
    }
    const demo = config.directoryFile ? undefined : await demoCredentials(ctx.directory);
    const app = await buildApp(ctx, logger);
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    ctx.links.base = config.publicUrl ?? url;
    const wildcard = config.host === '0.0.0.0' || config.host === '::';
    if (config.redis && wildcard && !config.internalUrl) {
      throw new ConfigError('--internal-url is needed with --redis when listening on all addresses: other instances must know where to reach this one');
    }
    await ctx.cluster.node.start(config.internalUrl ?? url, (signal) => ctx.cluster.onSignal(signal));
    const purge = () =>
      ctx.tokens.purgeExpired().then(
        (n) => n > 0 && logger.info({ purged: n }, 'expired access tokens removed'),
        (err: unknown) => logger.error({ err }, 'purging expired tokens failed'),
      );
    const purgeTimer = setInterval(purge, TOKEN_PURGE_INTERVAL_MS).unref();
    // Delivers conference events, including those left pending by an earlier run.
    ctx.events.dispatcher.start();
    const close = async () => {
      clearInterval(purgeTimer);
      await ctx.events.dispatcher.stop();
      // Stream-mode clients get DingTalk's SYSTEM disconnect before their sockets close.
      await ctx.events.stream.close();
      await app.close();
      await ctx.close();
    };
    return {
      app,
      ctx,
      url,
      demo,
      close,
      async drain() {
        await ctx.cluster.node.drain(config.drainTimeoutMs ?? 20_000);
        await close();
      },
    };
  } catch (err) {
    await ctx.close();
    throw err;
  }
}
