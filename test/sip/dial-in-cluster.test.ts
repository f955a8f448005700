/**
 * Issue 14 §4 with two instances on one PostgreSQL and Redis (docs/dial-in.md, "Several
 * instances"): a call answered by instance A brings an unplaced meeting's room to A, so browsers
 * reaching B are relayed to A like any room's; a meeting already live on B is not split in two —
 * A refuses the caller in words and hangs up (bridging to B's room is not built yet).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, requires } from '../support/requirements.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/pg-databases.js';
import { $conference, appToken, conferenceClient, confHeaders, memberModels, runtime } from '../support/sdk.js';
import { runSipp, scenarioXml } from '../../tools/sipp.js';
import { sipConfig } from './support/dial-in.js';

const ready = await requires(import.meta.url, 'postgres', 'redis', 'tool:sipp');

let db: TestDatabase;
let a: TestServer;
let b: TestServer;
let token: string;
let target: string;

async function createMeeting(title: string) {
  const res = await conferenceClient(a.endpoint).createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: title }), confHeaders(token), runtime());
  return res.body as { conferenceId: string; roomCode: string; hostPassword: string };
}

describe.skipIf(!ready)('dial-in with several instances', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    const sip = sipConfig();
    target = `${sip.host}:${sip.port}`;
    a = await startTestServer({ config: { database: db.url, redis: REDIS_URL, sip } });
    b = await startTestServer({ config: { database: db.url, redis: REDIS_URL } });
    token = await appToken(a.endpoint, 'acme-app', 's3cret');
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  it.concurrent('a caller brings an unplaced room to the instance that answered; the other instance relays to it', { timeout: 60_000 }, async () => {
    const m = await createMeeting('Placed by a phone');
    const call = runSipp(target, scenarioXml({ from: '13611112222', steps: [{ keys: `${m.roomCode}#${m.hostPassword}#` }, { pause: 3000 }, { bye: true }] }), { service: '13611112222' });
    const deadline = Date.now() + 20_000;
    while (!a.running.ctx.rooms.live(m.conferenceId)?.roster().some((p) => p.source === 'phone')) {
      if (Date.now() > deadline) throw new Error('caller not in the room on A');
      await new Promise((r) => setTimeout(r, 100));
    }
    const fromB = await b.running.ctx.cluster.node.hostFor(m.conferenceId);
    expect(fromB.local).toBe(false);
    expect(fromB.local === false && fromB.host.id).toBe(a.running.ctx.cluster.node.id);
    expect((await call).code).toBe(0);
  });

  it.concurrent('a meeting live on another instance is not split: the caller is told and hung up', { timeout: 60_000 }, async () => {
    const m = await createMeeting('Live on B');
    expect((await b.running.ctx.cluster.node.hostFor(m.conferenceId, true)).local).toBe(true);
    // B keeps its lease as its heartbeat would for a room with people in it.
    const keep = setInterval(() => void b.running.ctx.cluster.node.hostFor(m.conferenceId, true), 1000);
    const run = await runSipp(target, scenarioXml({ from: '13611113333', steps: [{ keys: `${m.roomCode}#${m.hostPassword}#` }, { awaitBye: 30_000 }] }), { service: '13611113333' });
    clearInterval(keep);
    expect(run.errors, run.stdout).toBe('');
    expect(run.code).toBe(0);
    expect(a.running.ctx.rooms.live(m.conferenceId)).toBeUndefined();
    expect((await memberModels(a.endpoint, token, m.conferenceId)).filter((x) => x.pstnJoin)).toEqual([]);
  });
});
