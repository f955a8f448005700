/** The shared state of several instances, on a real Redis: budgets, room leases, signals. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisCluster } from '../../src/cluster/redis-cluster.js';
import type { ClusterSignal } from '../../src/domain/ports/cluster.js';
import { REDIS_URL, requires } from '../support/requirements.js';

const ready = await requires(import.meta.url, 'redis');

type Opened = Awaited<ReturnType<typeof openRedisCluster>>;

describe.skipIf(!ready)('cluster state in Redis', () => {
  // Two instances' views of one deployment, each with its own connections.
  let a: Opened;
  let b: Opened;
  const deployment = randomBytes(4).toString('hex');
  const noError = (err: unknown) => {
    throw err;
  };

  beforeAll(async () => {
    a = await openRedisCluster(REDIS_URL, deployment, noError, noError);
    b = await openRedisCluster(REDIS_URL, deployment, noError, noError);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('draws every instance’s takes from one budget, and gives back', async () => {
    const key = `qps:${randomBytes(4).toString('hex')}`;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).rates.take(key, 1, 6, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(6);
    expect((await a.rates.peek(key, 60_000)).used).toBe(6);
    await b.rates.giveBack(key, 2);
    expect((await a.rates.peek(key, 60_000)).used).toBe(4);
    expect(await a.rates.take(key, 2, 6, 60_000)).toBe(true);
    expect(await b.rates.take(key, 1, 6, 60_000)).toBe(false);
  });

  it('forgets uses once they leave the window, and says when the oldest leaves', async () => {
    const key = `join:${randomBytes(4).toString('hex')}`;
    expect(await a.rates.take(key, 3, 3, 500)).toBe(true);
    expect(await b.rates.take(key, 1, 3, 500)).toBe(false);
    const { used, resetInMs } = await b.rates.peek(key, 500);
    expect(used).toBe(3);
    expect(resetInMs).toBeGreaterThan(0);
    expect(resetInMs).toBeLessThanOrEqual(550);
    await new Promise((r) => setTimeout(r, 600));
    expect(await b.rates.take(key, 3, 3, 500)).toBe(true);
  });

  it('places a room on one instance only, even when both try at once', async () => {
    await a.registry.heartbeat({ id: 'i-a', url: 'http://a', rooms: 0, participants: 0, userPages: 0, draining: false }, 5000);
    await b.registry.heartbeat({ id: 'i-b', url: 'http://b', rooms: 0, participants: 0, userPages: 0, draining: false }, 5000);
    const room = randomBytes(8).toString('hex');
    const [pa, pb] = await Promise.all([a.rooms.place(room, 'i-a', 5000), b.rooms.place(room, 'i-b', 5000)]);
    expect(pa.host).toBe(pb.host);
    expect(await b.rooms.hostOf(room)).toBe(pa.host);
    expect((await a.registry.live()).map((i) => i.id).sort()).toEqual(expect.arrayContaining(['i-a', 'i-b']));
  });

  it('moves a room from an instance that stopped beating, and tells the new host whom it replaced', async () => {
    const room = randomBytes(8).toString('hex');
    await a.registry.heartbeat({ id: 'dying', url: 'http://d', rooms: 1, participants: 2, userPages: 0, draining: false }, 300);
    expect((await a.rooms.place(room, 'dying', 60_000)).host).toBe('dying');
    // The room's own lease still runs for a minute; the host's heartbeat is what counts.
    expect((await b.rooms.place(room, 'i-b', 60_000)).host).toBe('dying');
    await new Promise((r) => setTimeout(r, 400));
    expect(await b.rooms.hostOf(room)).toBeUndefined();
    expect(await b.rooms.place(room, 'i-b', 60_000)).toEqual({ host: 'i-b', tookOverFrom: 'dying' });
    expect(await b.rooms.takeOverFrom(room)).toBe('dying');
    expect(await b.rooms.takeOverFrom(room)).toBeUndefined();
    const seen = await b.registry.lastSeen('dying');
    expect(seen).toBeGreaterThan(Date.now() - 5000);
    // The old host, renewing, learns it lost the room.
    expect(await a.rooms.renew('dying', [room], 5000)).toEqual([room]);
    expect(await b.rooms.renew('i-b', [room], 5000)).toEqual([]);
    await a.rooms.release(room, 'dying');
    expect(await a.rooms.hostOf(room)).toBe('i-b');
    await b.rooms.release(room, 'i-b');
    expect(await a.rooms.hostOf(room)).toBeUndefined();
  });

  it('delivers a request to the instance named and waits for its handler; an absent instance fails at once', async () => {
    const got: ClusterSignal[] = [];
    await a.bus.listen('bus-a', async (signal) => {
      await new Promise((r) => setTimeout(r, 50));
      got.push(signal);
    });
    await b.bus.listen('bus-b', async () => undefined);
    const signal: ClusterSignal = { kind: 'control', op: { name: 'muteEveryone', conferenceId: 'c1' } };
    expect(await b.bus.request('bus-a', signal, 2000)).toBe(true);
    expect(got).toEqual([signal]);
    const started = Date.now();
    expect(await b.bus.request('nobody', signal, 2000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
    await b.bus.broadcast({ kind: 'ring', corpId: 'c', unionId: 'u', message: { type: 'ring-end', conferenceId: 'c1' } as never });
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((s) => s.kind)).toEqual(['control', 'ring']);
  });
});
