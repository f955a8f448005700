/**
 * Issue 4 §4: conference events reach the apps' HTTP callbacks — every event of a scripted meeting
 * exactly once after de-duplication, in statusSeqNum order, signed; also through failed deliveries
 * and a restart of vconf (the outbox is in the database).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { directory as baseDirectory } from '../support/fixtures.js';
import { admit, linkToken, RoomClient } from '../support/room-client.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { Receiver, type Delivery } from './receiver.js';
import { deliveryLog, deliveryStates } from '../support/outbox-peek.js';

const SECRET = 'acme-callback-secret-0123456789';
const READONLY_SECRET = 'readonly-callback-secret-98765';
const clients: RoomClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

/** The standard directory, with acme-app subscribed to everything and acme-readonly to meeting events only. */
function directoryWith(url: string, readonlyUrl: string) {
  const doc = structuredClone(baseDirectory) as typeof baseDirectory;
  const acme = doc.orgs.find((o) => o.corpId === 'dingacme')!;
  acme.apps = acme.apps.map((a) =>
    a.appKey === 'acme-app'
      ? { ...a, eventCallback: { url, secret: SECRET } }
      : a.appKey === 'acme-readonly'
        ? { ...a, eventCallback: { url: readonlyUrl, secret: READONLY_SECRET, events: ['meeting_status_change'] } }
        : a,
  );
  return doc;
}

interface Env {
  server: TestServer;
  receiver: Receiver;
  readonly: Receiver;
  token: string;
}

async function setUp(retry: number[]): Promise<Env> {
  const receiver = new Receiver(SECRET);
  const readonly = new Receiver(READONLY_SECRET);
  await Promise.all([receiver.start(), readonly.start()]);
  const server = await startTestServer({
    directory: directoryWith(receiver.url, readonly.url),
    config: { eventRetryScheduleMs: retry, eventPollMs: 50 },
  });
  return { server, receiver, readonly, token: await appToken(server.endpoint, 'acme-app', 's3cret') };
}

async function tearDown(env: Env | undefined): Promise<void> {
  await env?.server.stop();
  await env?.receiver.stop();
  await env?.readonly.stop();
}

const sdk = (env: Env) => conferenceClient(env.server.endpoint);

/** A meeting of Alice's; the organizer is rung (another user_invited) only with `inviteCaller`. */
async function create(env: Env, inviteUserIds: string[] = [], inviteCaller = false) {
  const res = await sdk(env).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Events', inviteUserIds, inviteCaller }),
    confHeaders(env.token),
    runtime(),
  );
  return res.body as { conferenceId: string; externalLinkUrl: string; roomCode: string };
}

async function join(env: Env, link: string, name: string): Promise<RoomClient> {
  const admitted = await admit(env.server.url, linkToken(link));
  const client = await RoomClient.enter(env.server.url, admitted, { name });
  expect(client.participantId).not.toBe('');
  clients.push(client);
  return client;
}

async function close(env: Env, conferenceId: string): Promise<void> {
  await sdk(env).closeVideoConferenceWithOptions(conferenceId, new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }), confHeaders(env.token), runtime());
}

/** acme-app's delivery log of an event once it holds `n` attempts (or after 2 s). */
async function logOf(env: Env, eventId: string, n: number) {
  for (let i = 0; ; i++) {
    const log = (await deliveryLog(env.server.db, eventId)).filter((l) => l.appKey === 'acme-app');
    if (log.length >= n || i >= 40) return log;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const scenes = (ds: Delivery[]) => ds.map((d) => d.body.changeScene);
const seqs = (ds: Delivery[]) => ds.map((d) => d.body.statusSeqNum);
const sawScene = (r: Receiver, id: string, scene: string, n = 1) => () => r.accepted(id).filter((d) => d.body.changeScene === scene).length >= n;

/** Every accepted delivery of the meeting: signed, numbered 1…n in arrival order, with matching ids. */
function expectOrderedAndSigned(ds: Delivery[]): void {
  expect(seqs(ds)).toEqual(ds.map((_, i) => i + 1));
  for (const d of ds) {
    expect(d.validSignature).toBe(true);
    expect(d.body.eventId).toBe(d.eventId);
    expect(d.body.CorpId).toBe('dingacme');
  }
}

describe('events of a scripted meeting', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setUp([50, 100, 200]);
  });
  afterAll(async () => tearDown(env));

  it('delivers created, invited, joins, leave, kick, leave at close and closed, once each, in order, signed', async () => {
    const m = await create(env, ['uA2']);
    const one = await join(env, m.externalLinkUrl, 'Guest One');
    await join(env, m.externalLinkUrl, 'Guest Two');
    const three = await join(env, m.externalLinkUrl, 'Guest Three');
    one.close();
    await env.receiver.until(sawScene(env.receiver, m.conferenceId, 'user_leave'));
    await sdk(env).kickMembersWithOptions(
      m.conferenceId,
      new $conference.KickMembersRequest({ userList: [new $conference.KickMembersRequestUserList({ participantId: three.participantId })] }),
      confHeaders(env.token),
      runtime(),
    );
    await env.receiver.until(sawScene(env.receiver, m.conferenceId, 'user_kicked'));
    await close(env, m.conferenceId);
    await env.receiver.until(sawScene(env.receiver, m.conferenceId, 'conference_closed'));

    const got = env.receiver.accepted(m.conferenceId);
    expect(scenes(got)).toEqual([
      'conference_created',
      'user_invited',
      'user_join',
      'user_join',
      'user_join',
      'user_leave',
      'user_kicked',
      'user_leave',
      'conference_closed',
    ]);
    expectOrderedAndSigned(got);
    const [created, invited, join1, , , leave1, kicked, leaveAtClose, closed] = got as [Delivery, Delivery, Delivery, Delivery, Delivery, Delivery, Delivery, Delivery, Delivery];
    expect(created.body).toMatchObject({
      EventType: 'meeting_status_change',
      openConfModel: { conferenceId: m.conferenceId, title: 'Events', roomCode: m.roomCode, creatorId: 'uA1', creatorNick: 'Alice', status: 0, invitedNum: 1 },
    });
    expect(invited.body).toMatchObject({ EventType: 'meeting_member_status_change', openMemberModels: [{ userId: 'uA2', userNick: 'Bob', attendStatus: 2 }] });
    expect(join1.body).toMatchObject({ openMemberModels: [{ userId: '', userNick: 'Guest One', attendStatus: 3, outerOrgMember: true, deviceType: 'web' }] });
    expect(leave1.body).toMatchObject({ openMemberModels: [{ userNick: 'Guest One', attendStatus: 6 }] });
    expect(kicked.body).toMatchObject({ openMemberModels: [{ userNick: 'Guest Three', attendStatus: 5 }] });
    expect(leaveAtClose.body).toMatchObject({ openMemberModels: [{ userNick: 'Guest Two', attendStatus: 6 }] });
    expect(closed.body).toMatchObject({ openConfModel: { conferenceId: m.conferenceId, status: 1, activeNum: 0, attendNum: 3 } });
    expect(typeof (closed.body.openConfModel as { endTime: unknown }).endTime).toBe('number');

    // Subscribed to meeting events only: the read-only app gets created and closed, nothing else.
    await env.readonly.until(() => env.readonly.accepted(m.conferenceId).length >= 2);
    const ro = env.readonly.accepted(m.conferenceId);
    expect(scenes(ro)).toEqual(['conference_created', 'conference_closed']);
    expect(seqs(ro)).toEqual([1, 9]);
    expect(ro.every((d) => d.validSignature)).toBe(true);
    // No app of another organization hears of the meeting (beta-app has no callback; none arrived elsewhere).
    expect(env.receiver.deliveries.every((d) => d.body.CorpId === 'dingacme')).toBe(true);
  });

  it('reports InviteUsers as user_invited with the rung colleague', async () => {
    const m = await create(env);
    await sdk(env).inviteUsersWithOptions(
      m.conferenceId,
      new $conference.InviteUsersRequest({ unionId: 'uA1', inviteeList: [new $conference.InviteUsersRequestInviteeList({ unionId: 'uA3', nick: 'Carol' })] }),
      new $conference.InviteUsersHeaders({ xAcsDingtalkAccessToken: env.token }),
      runtime(),
    );
    await env.receiver.until(sawScene(env.receiver, m.conferenceId, 'user_invited'));
    const got = env.receiver.accepted(m.conferenceId);
    expect(scenes(got)).toEqual(['conference_created', 'user_invited']);
    expectOrderedAndSigned(got);
    expect(got[1]!.body).toMatchObject({ openMemberModels: [{ userId: 'uA3', userNick: 'Carol', attendStatus: 2, conferenceId: m.conferenceId }] });
  });

  it('retries a receiver that fails the first two deliveries, keeping the order and logging each attempt', async () => {
    // First attempt answered 500, second dropped without an answer, third accepted.
    env.receiver.policy = (_d, seenBefore) => (seenBefore === 0 ? 500 : seenBefore === 1 ? 0 : 200);
    try {
      const m = await create(env);
      const guest = await join(env, m.externalLinkUrl, 'Retry Guest');
      guest.close();
      await env.receiver.until(sawScene(env.receiver, m.conferenceId, 'user_leave'));
      await close(env, m.conferenceId);
      await env.receiver.until(sawScene(env.receiver, m.conferenceId, 'conference_closed'));

      const got = env.receiver.accepted(m.conferenceId);
      expect(scenes(got)).toEqual(['conference_created', 'user_join', 'user_leave', 'conference_closed']);
      expectOrderedAndSigned(got);
      for (const d of got) {
        expect(d.attempt).toBe(3);
        const attempts = env.receiver.deliveries.filter((x) => x.eventId === d.eventId);
        expect(attempts.map((x) => x.answered)).toEqual([500, 0, 200]);
        expect(attempts.every((x) => x.validSignature)).toBe(true);
        // The receiver sees the third attempt just before vconf logs its answer.
        const mine = await logOf(env, d.eventId, 3);
        expect(mine.map((l) => [l.attempt, l.statusCode])).toEqual([
          [1, 500],
          [2, null],
          [3, 200],
        ]);
        expect(mine[0]!.error).toBe('HTTP 500');
        expect(mine[1]!.error).toBeTruthy();
        expect(mine[2]!.error).toBeNull();
        // The schedule's first waits (50 ms, then 100 ms) separate the attempts.
        expect(mine[1]!.at - mine[0]!.at).toBeGreaterThanOrEqual(45);
        expect(mine[2]!.at - mine[1]!.at).toBeGreaterThanOrEqual(95);
      }
    } finally {
      env.receiver.policy = () => 200;
    }
  });

  it('keeps delivering other meetings while one meeting\'s receiver call hangs', async () => {
    // The first delivery after this point (the slow meeting's conference_created) is answered after 1.5 s.
    let holding = false;
    env.receiver.holdMs = () => (holding ? 0 : ((holding = true), 1500));
    try {
      const slow = await create(env);
      while (!holding) await new Promise((r) => setTimeout(r, 10));
      const fast = await create(env);
      await env.receiver.until(sawScene(env.receiver, fast.conferenceId, 'conference_created'));
      const fastAt = env.receiver.accepted(fast.conferenceId)[0]!.receivedAt;
      await env.receiver.until(sawScene(env.receiver, slow.conferenceId, 'conference_created'));
      expect(fastAt).toBeLessThan(env.receiver.accepted(slow.conferenceId)[0]!.receivedAt);
    } finally {
      env.receiver.holdMs = () => 0;
    }
  });

  it('gives up after the last retry and marks the delivery failed, then goes on with the next event', async () => {
    env.receiver.policy = (d) => (d.body.changeScene === 'conference_created' ? 503 : 200);
    try {
      const m = await create(env);
      await join(env, m.externalLinkUrl, 'After Failure');
      await env.receiver.until(sawScene(env.receiver, m.conferenceId, 'user_join'));
      const createdAttempts = env.receiver.deliveries.filter((d) => d.body.BizId === m.conferenceId && d.body.changeScene === 'conference_created');
      // One first attempt plus one per entry of the 3-step schedule.
      expect(createdAttempts.map((d) => d.answered)).toEqual([503, 503, 503, 503]);
      const states = await deliveryStates(env.server.db, 'acme-app');
      expect(states.get(createdAttempts[0]!.eventId)).toBe('failed');
      expect(env.receiver.accepted(m.conferenceId).map((d) => d.body.statusSeqNum)).toEqual([2]);
    } finally {
      env.receiver.policy = () => 200;
    }
  });
});

describe('events across a restart', () => {
  let env: Env;
  beforeAll(async () => {
    // Long enough that nothing is given up while vconf is down.
    env = await setUp(Array.from({ length: 100 }, () => 100));
  });
  afterAll(async () => tearDown(env));

  it('delivers events written before a restart after it, once each, in order', async () => {
    env.receiver.policy = () => 503;
    const m = await create(env, ['uA3'], true);
    await join(env, m.externalLinkUrl, 'Before Restart');
    await env.receiver.until(() => env.receiver.deliveries.some((d) => d.body.BizId === m.conferenceId && d.answered === 503));
    const restartedAt = Date.now();
    await env.server.restart();
    env.receiver.policy = () => 200;
    await join(env, m.externalLinkUrl, 'After Restart');
    await close(env, m.conferenceId);
    await env.receiver.until(sawScene(env.receiver, m.conferenceId, 'conference_closed'));

    const got = env.receiver.accepted(m.conferenceId);
    expectOrderedAndSigned(got);
    const list = scenes(got);
    expect(list.slice(0, 3)).toEqual(['conference_created', 'user_invited', 'user_join']);
    const rung = (got[1]!.body.openMemberModels as Array<{ userId: string }>).map((x) => x.userId).sort();
    expect(rung).toEqual(['uA1', 'uA3']);
    expect(list.at(-1)).toBe('conference_closed');
    expect(list.filter((s) => s === 'user_join')).toHaveLength(2);
    expect(list.filter((s) => s === 'conference_closed')).toHaveLength(1);
    // Written before the restart, accepted only after it: they came from the database.
    expect(got[0]!.receivedAt).toBeGreaterThanOrEqual(restartedAt);
    expect(got[2]!.receivedAt).toBeGreaterThanOrEqual(restartedAt);
  });
});
