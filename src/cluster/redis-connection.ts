import { Redis } from 'ioredis';

/** What the Redis-backed parts report when Redis fails (counted in /metrics, logged). */
export type RedisErrorSink = (err: Error) => void;

/**
 * A Redis connection that keeps reconnecting (an instance must ride out a Redis restart) and
 * fails commands quickly while Redis is away instead of queueing them for ever.
 */
export function connectRedis(url: string, onError: RedisErrorSink): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 3000,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  client.on('error', onError);
  return client;
}
