import { Counter, type Registry } from 'prom-client';

/** Counted by the Redis client code on every failed command or connection error. */
export interface RedisErrors {
  inc(): void;
}

export function registerRedisMetrics(registry: Registry): RedisErrors {
  return new Counter({
    name: 'vconf_redis_errors_total',
    help: 'Redis commands and connections that failed',
    registers: [registry],
  });
}
