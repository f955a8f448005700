import pg from 'pg';
import { ConfigError, redact } from '../config.js';

/** The advisory lock every instance on one PostgreSQL takes: shared with Redis, exclusive without. */
const LOCK_KEY = 0x76636f6e; // "vcon"

export interface DatabaseGuard {
  release(): Promise<void>;
}

/**
 * Refuses to start an instance that would share a PostgreSQL database unsafely. Instances with
 * Redis hold the lock shared; one without Redis holds it alone, since its rate budgets and rooms
 * live in its own memory and a second instance would silently split them. The lock lives on one
 * session held open for the process's lifetime, so a crashed instance lets go of it at once.
 */
export async function guardDatabase(url: string, withRedis: boolean): Promise<DatabaseGuard> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  const fn = withRedis ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
  const { rows } = await client.query<{ ok: boolean }>(`select ${fn}($1) as ok`, [LOCK_KEY]);
  if (!rows[0]?.ok) {
    await client.end().catch(() => undefined);
    throw new ConfigError(
      withRedis
        ? `an instance without --redis is running on ${redact(url)}; every instance on one database needs the same --redis`
        : `another vconf instance is running on ${redact(url)}; several instances on one database need --redis (all of them)`,
    );
  }
  return {
    async release() {
      await client.end().catch(() => undefined);
    },
  };
}
