import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerDatabaseMetrics, type PoolStats } from './database.js';
import { HttpMetrics } from './http.js';
import { registerOutboxMetrics, type OutboxBacklog } from './outbox.js';
import { registerRedisMetrics, type RedisErrors } from './redis.js';
import { registerRoomMetrics, type LiveRoomCounts } from './rooms.js';
import { registerSfuMetrics, type ForwardingSource } from './sfu.js';

/** The parts of a running vconf the metrics read at scrape time. */
export interface MetricSources {
  rooms: LiveRoomCounts;
  sfu: ForwardingSource;
  outbox: OutboxBacklog;
  pool: PoolStats;
  /** Stream-mode connections held here (src/events/stream-gateway.ts). */
  stream?: { readonly size: number };
}

/** One instance's metrics (docs/observability.md), served at GET /metrics. */
export interface Metrics {
  /** This instance's own registry: never prom-client's global one, since tests run several servers in one process. */
  registry: Registry;
  http: HttpMetrics;
  /** For the Redis code: `metrics.redisErrors.inc()` on each failure. */
  redisErrors: RedisErrors;
}

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  // Standard names (process_*, nodejs_*), so stock Node.js dashboards work unchanged.
  collectDefaultMetrics({ register: registry });
  registerRoomMetrics(registry, sources.rooms);
  registerSfuMetrics(registry, sources.sfu);
  registerOutboxMetrics(registry, sources.outbox, sources.stream);
  registerDatabaseMetrics(registry, sources.pool);
  return { registry, http: new HttpMetrics(registry), redisErrors: registerRedisMetrics(registry) };
}
