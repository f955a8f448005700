import type { Redis } from 'ioredis';
import type { InstanceInfo, InstanceRegistry, Placement, RoomDirectory } from '../domain/ports/cluster.js';

/** How long an instance's "last seen" time is kept after it stopped (to date the gap of a failover). */
const LAST_SEEN_KEEP_MS = 3600_000;

/**
 * A room belongs to its host while the host's instance key lives; a room whose host is gone is
 * taken by the next instance that places it, even before the room's own lease runs out. So a
 * failover waits for one instance heartbeat to expire, not for every room lease.
 */
const PLACE = `
local host = redis.call('GET', KEYS[1])
if host and redis.call('EXISTS', ARGV[3] .. host) == 1 then return {host, ''} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
-- The new host reads whom it replaced, to close the visits the dead one left open.
if host and host ~= ARGV[1] then redis.call('SET', KEYS[1] .. ':from', host, 'PX', 600000) end
return {ARGV[1], host or ''}
`;

const RENEW = `
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) else table.insert(lost, i) end
end
return lost
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;

const HOST_OF = `
local host = redis.call('GET', KEYS[1])
if host and redis.call('EXISTS', ARGV[1] .. host) == 1 then return host end
return false
`;

type Scripts = Record<'vconfPlace' | 'vconfRenew' | 'vconfRelease' | 'vconfHostOf', (...args: unknown[]) => Promise<unknown>>;

/** Live instances and the room directory of one deployment, in Redis under `prefix`. */
export class RedisRooms implements InstanceRegistry, RoomDirectory {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('vconfPlace', { numberOfKeys: 1, lua: PLACE });
    redis.defineCommand('vconfRenew', { lua: RENEW });
    redis.defineCommand('vconfRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('vconfHostOf', { numberOfKeys: 1, lua: HOST_OF });
    this.scripts = redis as unknown as Scripts;
  }

  private get instancePrefix(): string {
    return `${this.prefix}instance:`;
  }

  async heartbeat(info: InstanceInfo, ttlMs: number): Promise<void> {
    await this.redis
      .multi()
      .set(`${this.instancePrefix}${info.id}`, JSON.stringify(info), 'PX', ttlMs)
      .sadd(`${this.prefix}instances`, info.id)
      .set(`${this.prefix}seen:${info.id}`, String(Date.now()), 'PX', LAST_SEEN_KEEP_MS)
      .exec();
  }

  async live(): Promise<InstanceInfo[]> {
    const ids = await this.redis.smembers(`${this.prefix}instances`);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => `${this.instancePrefix}${id}`));
    const gone = ids.filter((_, i) => values[i] === null);
    if (gone.length > 0) await this.redis.srem(`${this.prefix}instances`, ...gone);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as InstanceInfo);
  }

  async lastSeen(id: string): Promise<number | undefined> {
    const at = await this.redis.get(`${this.prefix}seen:${id}`);
    return at === null ? undefined : Number(at);
  }

  async remove(id: string): Promise<void> {
    await this.redis.multi().del(`${this.instancePrefix}${id}`).srem(`${this.prefix}instances`, id).exec();
  }

  async place(conferenceId: string, candidate: string, ttlMs: number): Promise<Placement> {
    const [host, previous] = (await this.scripts.vconfPlace.call(this.redis, this.roomKey(conferenceId), candidate, ttlMs, this.instancePrefix)) as [string, string];
    return previous && previous !== host ? { host, tookOverFrom: previous } : { host };
  }

  async hostOf(conferenceId: string): Promise<string | undefined> {
    const host = (await this.scripts.vconfHostOf.call(this.redis, this.roomKey(conferenceId), this.instancePrefix)) as string | null;
    return host ?? undefined;
  }

  async renew(instanceId: string, conferenceIds: readonly string[], ttlMs: number): Promise<string[]> {
    if (conferenceIds.length === 0) return [];
    const lost = (await this.scripts.vconfRenew.call(this.redis, conferenceIds.length, ...conferenceIds.map((id) => this.roomKey(id)), instanceId, ttlMs)) as number[];
    return lost.map((i) => conferenceIds[i - 1]!);
  }

  async takeOverFrom(conferenceId: string): Promise<string | undefined> {
    return (await this.redis.getdel(`${this.roomKey(conferenceId)}:from`)) ?? undefined;
  }

  async release(conferenceId: string, instanceId: string): Promise<void> {
    await this.scripts.vconfRelease.call(this.redis, this.roomKey(conferenceId), instanceId);
  }

  private roomKey(conferenceId: string): string {
    return `${this.prefix}room:${conferenceId}`;
  }
}
