import { Gauge, type Registry } from 'prom-client';

/** What a store with a connection pool tells the metrics. */
export interface PoolStats {
  /** Queries waiting for a free connection right now. */
  poolWaiting(): number;
}

/** The embedded SQLite store has one connection and no pool: nothing ever waits for one. */
export const NO_POOL: PoolStats = { poolWaiting: () => 0 };

export function registerDatabaseMetrics(registry: Registry, pool: PoolStats): void {
  new Gauge({
    name: 'vconf_db_pool_waiting',
    help: 'Queries waiting for a database connection from the pool',
    registers: [registry],
    collect() {
      this.set(pool.poolWaiting());
    },
  });
}
