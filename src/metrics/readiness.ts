import { sql, type Kysely } from 'kysely';

/** One thing this instance needs to serve requests; check() rejects when it does not answer. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/**
 * What GET /readyz asks (docs/observability.md). Built in the context with the database ping;
 * a Redis check is pushed onto `checks` where Redis is configured, and `draining` is replaced
 * by the shutdown code so a load balancer stops sending work before the instance stops.
 */
export interface Readiness {
  checks: ReadinessCheck[];
  draining: () => boolean;
}

/** A check that has not answered by then counts as failed: a hung database must not hang the probe. */
export const CHECK_TIMEOUT_MS = 2000;

export interface Unready {
  name: string;
  /** Why, for the log (the HTTP answer names only what is not ready). */
  error: unknown;
}

/** What is not ready (empty when ready); every check runs at once, each bounded in time. */
export async function unready(readiness: Readiness, timeoutMs = CHECK_TIMEOUT_MS): Promise<Unready[]> {
  const failed = await Promise.all(
    readiness.checks.map(async ({ name, check }): Promise<Unready | undefined> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check(), timeout]);
        return undefined;
      } catch (error) {
        return { name, error };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const draining = readiness.draining() ? [{ name: 'draining', error: 'the instance is shutting down' }] : [];
  return [...draining, ...failed.filter((f): f is Unready => f !== undefined)];
}

/** The database answers a trivial query (any dialect Kysely speaks). */
export function databasePing<DB>(db: Kysely<DB>): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      await sql`select 1`.execute(db);
    },
  };
}
