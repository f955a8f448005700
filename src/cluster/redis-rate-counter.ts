import type { Redis } from 'ioredis';
import type { RateCounter } from '../domain/ports/index.js';

/**
 * The same rolling window as MemoryRateCounter (ten slices per window), kept in one Redis hash
 * per key so every instance draws from one budget. Redis's clock decides the slice, so instances
 * whose clocks differ still agree. Each call is one script: read, expire old slices, decide, add.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local windowMs = tonumber(ARGV[2])
local sliceMs = math.max(1, math.floor(windowMs / 10))
local current = math.floor(now / sliceMs)
local fields = redis.call('HGETALL', KEYS[1])
local used, oldest, newest = 0, nil, nil
local mode, amount, limit = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 1, #fields, 2 do
  local slice = tonumber(fields[i])
  -- Giving back does not know the window's length, so it expires nothing.
  if mode ~= 'give' and slice <= current - 10 then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    used = used + tonumber(fields[i + 1])
    if oldest == nil or slice < oldest then oldest = slice end
    if newest == nil or slice > newest then newest = slice end
  end
end
if mode == 'take' then
  if used + amount > limit then return {0, used, 0} end
  redis.call('HINCRBY', KEYS[1], current, amount)
  redis.call('PEXPIRE', KEYS[1], windowMs + sliceMs)
  return {1, used + amount, 0}
elseif mode == 'give' then
  if newest == nil then return {1, used, 0} end
  local left = tonumber(redis.call('HINCRBY', KEYS[1], newest, -amount))
  if left < 0 then redis.call('HSET', KEYS[1], newest, 0) end
  return {1, used, 0}
end
if used == 0 then return {1, 0, 0} end
return {1, used, (oldest + 10) * sliceMs - now}
`;

export class RedisRateCounter implements RateCounter {
  constructor(
    private readonly redis: Redis,
    /** Namespace of this deployment's keys. */
    private readonly prefix: string,
  ) {
    redis.defineCommand('vconfRate', { numberOfKeys: 1, lua: SCRIPT });
  }

  async take(key: string, amount: number, limit: number, windowMs: number): Promise<boolean> {
    const [ok] = await this.run(key, 'take', windowMs, amount, limit);
    return ok === 1;
  }

  async peek(key: string, windowMs: number): Promise<{ used: number; resetInMs: number }> {
    const [, used, resetInMs] = await this.run(key, 'peek', windowMs, 0, 0);
    return { used, resetInMs };
  }

  async giveBack(key: string, amount: number): Promise<void> {
    await this.run(key, 'give', 1000, amount, 0);
  }

  private run(key: string, mode: string, windowMs: number, amount: number, limit: number): Promise<[number, number, number]> {
    const command = (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<[number, number, number]>>).vconfRate!;
    return command.call(this.redis, `${this.prefix}rate:${key}`, mode, windowMs, amount, limit);
  }
}
