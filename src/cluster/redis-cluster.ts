import type { ClusterState } from '../domain/ports/cluster.js';
import { RedisBus } from './redis-bus.js';
import { connectRedis, type RedisErrorSink } from './redis-connection.js';
import { RedisRateCounter } from './redis-rate-counter.js';
import { RedisRooms } from './redis-rooms.js';
import type { RateCounter } from '../domain/ports/index.js';

/**
 * Everything several instances share through one Redis: budgets, live instances, the room
 * directory and signals. `deployment` namespaces the keys, so deployments (or test runs) that
 * share a Redis never see each other's state.
 */
export async function openRedisCluster(url: string, deployment: string, onError: RedisErrorSink, onHandlerError: (err: unknown) => void): Promise<ClusterState & { rates: RateCounter }> {
  const prefix = `vconf:${deployment}:`;
  const commands = connectRedis(url, onError);
  const subscriber = connectRedis(url, onError);
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (err) {
    commands.disconnect();
    subscriber.disconnect();
    throw err;
  }
  const rooms = new RedisRooms(commands, prefix);
  return {
    registry: rooms,
    rooms,
    bus: new RedisBus(commands, subscriber, prefix, onHandlerError),
    rates: new RedisRateCounter(commands, prefix),
    shared: true,
    async ping() {
      await commands.ping();
    },
    async close() {
      subscriber.disconnect();
      await commands.quit().catch(() => commands.disconnect());
    },
  };
}
