import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createSecureContext, type Server as TlsServer } from 'node:tls';
import { startHttpsRedirect, serverPort } from './api/https-redirect.js';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp } from './api/app.js';
import { demoCredentials, demoDirectory, type DemoCredentials } from './cli/demo.js';
import { ConfigError, type Config, type TlsConfig } from './config.js';
import { createContext, type Context } from './context.js';
import type { Store } from './store/open-store.js';
import { parseDirectory, type DirectoryDocument } from './domain/directory.js';
import { Rejection } from './domain/rejection.js';
import { checkNewCallbacks, CheckUrlFailed } from './events/encrypted-callback.js';
import type { ImportSummary } from './domain/ports/index.js';

const TOKEN_PURGE_INTERVAL_MS = 3600_000;
/** Old media-quality samples are deleted this often (the retention is days; an hour late costs nothing). */
const STATS_PRUNE_INTERVAL_MS = 3600_000;

export interface RunningServer {
  app: FastifyInstance;
  ctx: Context;
  /** Where the server listens, e.g. http://127.0.0.1:8080 (https://… with --tls-cert). */
  url: string;
  /** With TLS and --http-redirect-port: where plain HTTP is redirected from, e.g. http://127.0.0.1:8081. */
  redirectUrl: string | undefined;
  /** Set when this data directory runs on the demo organization. */
  demo: DemoCredentials | undefined;
  /** The database underneath the context's ports, for tools and tests that look at rows. */
  store: Store;
  close(): Promise<void>;
  /** Stops taking rooms, moves everyone in this instance's rooms to others, then closes. */
  drain(): Promise<void>;
  /**
   * Reads --tls-cert/--tls-key again and serves new connections with them (SIGHUP, after a renewal);
   * a file that is unreadable or a mismatched pair is refused and the old certificate stays.
   */
  reloadTls(): Promise<void>;
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

/** The certificate chain and key files of --tls-cert/--tls-key; an unreadable file is a configuration error. */
async function readTls(tls: TlsConfig): Promise<{ cert: Buffer; key: Buffer }> {
  const read = (file: string, flag: string) =>
    readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new ConfigError(`${flag} ${file} cannot be read: ${err.code ?? err.message}`);
    });
  const [cert, key] = await Promise.all([read(tls.certFile, '--tls-cert'), read(tls.keyFile, '--tls-key')]);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(`--tls-cert ${tls.certFile} and --tls-key ${tls.keyFile} are not a usable pair: ${(err as Error).message}`);
  }
  return { cert, key };
}

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'vconf' } });
}

export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const { ctx, store } = await createContext(config, logger);
  try {
    if (config.directoryFile) {
      const summary = await importDirectoryFile(ctx, config.directoryFile);
      logger.info({ file: config.directoryFile, ...summary }, 'directory applied');
    } else if ((await ctx.directory.countOrgs()) === 0) {
      await ctx.directory.apply(demoDirectory());
      logger.info('empty data directory: demo organization created');
    }
    const demo = config.directoryFile ? undefined : await demoCredentials(ctx.directory);
    const https = config.tls ? await readTls(config.tls) : undefined;
    const app = await buildApp(ctx, logger, https ? { https } : {});
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const hostPart = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `${https ? 'https' : 'http'}://${hostPart}:${port}`;
    let redirect: Server | undefined;
    if (config.tls?.redirectPort !== undefined) {
      redirect = await startHttpsRedirect({ host: config.host, port: config.tls.redirectPort, httpsPort: port, publicUrl: config.publicUrl }).catch(async (err: unknown) => {
        await app.close();
        throw err;
      });
    }
    const redirectUrl = redirect ? `http://${hostPart}:${serverPort(redirect)}` : undefined;
    ctx.links.base = config.publicUrl ?? url;
    const wildcard = config.host === '0.0.0.0' || config.host === '::';
    if (config.redis && wildcard && !config.internalUrl) {
      throw new ConfigError('--internal-url is needed with --redis when listening on all addresses: other instances must know where to reach this one');
    }
    await ctx.cluster.node.start(config.internalUrl ?? url, (signal) => ctx.cluster.onSignal(signal));
    if (ctx.sip) {
      await ctx.sip.start().catch(async (err: unknown) => {
        await app.close();
        throw new ConfigError(`--sip-listen: ${(err as Error).message}`);
      });
      logger.info({ sip: `${config.sip?.host}:${config.sip?.port}` }, 'dial-in by telephone listening');
    }
    const purge = () =>
      ctx.tokens.purgeExpired().then(
        (n) => n > 0 && logger.info({ purged: n }, 'expired access tokens removed'),
        (err: unknown) => logger.error({ err }, 'purging expired tokens failed'),
      );
    const purgeTimer = setInterval(purge, TOKEN_PURGE_INTERVAL_MS).unref();
    // Ad-hoc meetings nobody joined within --unused-meeting-ttl end by themselves (docs/security.md).
    const ttl = config.unusedMeetingTtlMs ?? 0;
    const expire = () =>
      ctx.expiry.sweep().then(
        (n) => n > 0 && logger.info({ ended: n }, 'unused meetings ended'),
        (err: unknown) => logger.error({ err }, 'ending unused meetings failed'),
      );
    const expiryTimer = ttl > 0 ? setInterval(expire, Math.min(60_000, Math.max(200, ttl / 4))).unref() : undefined;
    // Media-quality samples older than --stats-retention go (docs/statistics.md).
    const prune = () =>
      ctx.statistics.prune().then(
        (n) => n > 0 && logger.info({ pruned: n }, 'old media statistics removed'),
        (err: unknown) => logger.error({ err }, 'pruning media statistics failed'),
      );
    let pruning: Promise<unknown> = prune();
    const pruneTimer = setInterval(() => (pruning = prune()), STATS_PRUNE_INTERVAL_MS).unref();
    // Delivers conference events, including those left pending by an earlier run.
    ctx.events.dispatcher.start();
    const close = async () => {
      clearInterval(purgeTimer);
      clearInterval(expiryTimer);
      clearInterval(pruneTimer);
      await pruning;
      redirect?.closeAllConnections();
      await new Promise((resolve) => (redirect ? redirect.close(resolve) : resolve(undefined)));
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
      redirectUrl,
      demo,
      store,
      close,
      async reloadTls() {
        if (!config.tls) return;
        const fresh = await readTls(config.tls);
        (app.server as unknown as TlsServer).setSecureContext(fresh);
      },
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
