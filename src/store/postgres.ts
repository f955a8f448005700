import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from './schema.js';

/** Connections per instance: creates share transactions, so a few carry the write load. */
export const DEFAULT_POOL_SIZE = 10;

const INT8_OID = 20;

/**
 * int8 (bigint) as a JS number: vconf's bigint columns hold ms timestamps and durations, far below
 * 2^53, and count(*) is int8 too. Set on this pool's own type table, not pg's global one.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/**
 * PostgreSQL's text cannot hold U+0000, and a parameter with one fails the whole query, where SQLite
 * stores it. Any request can carry one (a title, a unionId looked up), so each is replaced by U+FFFD,
 * the replacement character: a lookup then finds nothing, as no stored value has one, and a write
 * keeps the rest of the text.
 */
class NulSafeClient extends pg.Client {
  override query(...args: unknown[]): any {
    const values = args[1];
    if (Array.isArray(values) && values.some(hasNul)) args[1] = values.map((v) => (hasNul(v) ? v.replaceAll('\u0000', '\uFFFD') : v));
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}

const hasNul = (v: unknown): v is string => typeof v === 'string' && v.includes('\u0000');

export interface PostgresStore {
  db: Kysely<Database>;
  pool: pg.Pool;
  /** Fails unless the database answers (readiness). */
  ping(): Promise<void>;
  /** Queries waiting for a free connection of the pool now. */
  poolWaiting(): number;
}

export function openPostgres(url: string, opts: { poolSize?: number } = {}): PostgresStore {
  const pool = new pg.Pool({
    connectionString: url,
    Client: NulSafeClient,
    // At least 2: migrating holds one connection for the advisory lock while the migrator uses another.
    max: Math.max(2, opts.poolSize ?? DEFAULT_POOL_SIZE),
    types,
    // A database that does not answer fails a request rather than queuing it for ever.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server drops (restart, failover) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    async ping() {
      await sql`select 1`.execute(db);
    },
    poolWaiting: () => pool.waitingCount,
  };
}
