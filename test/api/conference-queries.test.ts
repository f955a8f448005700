/**
 * Issue 4 §1: the read operations through the official SDK, answered from member records that
 * real presence wrote — the server's own PresenceService, a real room socket, the repository —
 * and every error these operations document.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { AttendStatus, MeetingStatus, type Meeting, type Member } from '../../src/domain/meeting.js';
import { SqlMeetingRepository } from '../../src/store/meeting-repo.js';
import { READ } from '../support/fixtures.js';
import { admit, linkToken, RoomClient } from '../support/room-client.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError, type SdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const URL_SAFE = /^[A-Za-z0-9_-]+$/;

let server: TestServer;
let acme: string;
let acmeRead: string;
let none: string;
let beta: string;
let small: string;

beforeAll(async () => {
  server = await startTestServer();
  [acme = '', acmeRead = '', none = '', beta = '', small = ''] = await Promise.all(
    [
      ['acme-app', 's3cret'],
      ['acme-readonly', 'r3ad'],
      ['acme-none', 'n0ne'],
      ['beta-app', 'b3ta'],
      ['small-app', 'sm4ll'],
    ].map(([key, secret]) => appToken(server.endpoint, key!, secret!)),
  );
});
afterAll(async () => server.stop());

// ---------------------------------------------------------------------------------------------
// Helpers: the SDK calls, and presence written the way the rooms write it.

const client = () => conferenceClient(server.endpoint);

function expectError(err: SdkError, statusCode: number, code: string, message?: string | RegExp) {
  expect({ statusCode: err.statusCode, code: err.code }).toEqual({ statusCode, code });
  expect(err.data.requestid).toMatch(REQUEST_ID);
  if (typeof message === 'string') expect(err.data.message).toBe(message);
  else if (message) expect(err.data.message).toMatch(message);
}

async function create(fields: Record<string, unknown>, token = acme) {
  const res = await client().createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest(fields), confHeaders(token), runtime());
  return res.body!;
}

const info = async (conferenceId: string, token = acme) =>
  (await client().queryConferenceInfoWithOptions(conferenceId, confHeaders(token), runtime())).body!.confInfo!;

const batch = (conferenceIdList: unknown, token = acme) =>
  client().queryConferenceInfoBatchWithOptions(
    new $conference.QueryConferenceInfoBatchRequest(conferenceIdList === undefined ? {} : { conferenceIdList: conferenceIdList as string[] }),
    confHeaders(token),
    runtime(),
  );

const byRoomCode = (roomCode: string, page: { maxResults?: unknown; nextToken?: string } = {}, token = acme) =>
  client().queryConferenceInfoByRoomCodeWithOptions(roomCode, new $conference.QueryConferenceInfoByRoomCodeRequest(page as object), confHeaders(token), runtime());

const members = (conferenceId: string, page: { maxResults?: unknown; nextToken?: string } = {}, token = acme) =>
  client().queryConferenceMembersWithOptions(conferenceId, new $conference.QueryConferenceMembersRequest(page as object), confHeaders(token), runtime());

const orgList = (page: { maxResults?: unknown; nextToken?: string } = {}, token = acme) =>
  client().queryOrgConferenceListWithOptions(new $conference.QueryOrgConferenceListRequest(page as object), confHeaders(token), runtime());

const userOngoing = (unionId: string | undefined, token = acme) =>
  client().queryUserOnGoingConferenceWithOptions(
    new $conference.QueryUserOnGoingConferenceRequest(unionId === undefined ? {} : { unionId }),
    confHeaders(token),
    runtime(),
  );

const repo = () => new SqlMeetingRepository(server.db);

/** A guest entering by link or passcode, through the server's PresenceService (what the room socket calls). */
async function guestJoins(conferenceId: string, name: string, role: 'host' | 'participant' = 'participant'): Promise<Member> {
  const claims = { conferenceId, role, deviceId: randomUUID(), exp: Date.now() + 3600_000 };
  return (await server.running.ctx.presence.enter(claims, name)).member;
}

/** A directory user's invitation record turning active, as a signed-in join records it. */
async function userJoins(conferenceId: string, unionId: string): Promise<Member> {
  const record = (await repo().members(conferenceId)).find((m) => m.unionId === unionId)!;
  const now = Date.now();
  await repo().updateMember(conferenceId, record.memberId, { attendStatus: AttendStatus.active, joinTime: now, visitStartedAt: now, deviceId: randomUUID() });
  await repo().markStarted(conferenceId, now);
  return record;
}

const leaves = (conferenceId: string, memberId: string) => server.running.ctx.presence.leave(conferenceId, memberId);
const ends = (conferenceId: string) => server.running.ctx.presence.end(conferenceId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await sleep(25);
  }
}

function meetingRow(fields: Partial<Meeting> & Pick<Meeting, 'conferenceId' | 'corpId' | 'roomCode' | 'createdAt'>): Meeting {
  return {
    title: `Room ${fields.conferenceId}`,
    status: MeetingStatus.ended,
    bizType: '0',
    creatorUnionId: 'uA1',
    creatorNick: 'Alice',
    conferencePassword: '1111111111',
    hostPassword: '2222222222',
    joinToken: randomUUID(),
    inviteCaller: true,
    startTime: fields.createdAt + 1000,
    endTime: fields.createdAt + 61_000,
    scheduleConferenceId: null,
    ...fields,
  };
}

// ---------------------------------------------------------------------------------------------

describe('QueryConferenceMembers', () => {
  let meeting: { conferenceId: string };
  const guests: Member[] = [];
  let organizer: Member;

  beforeAll(async () => {
    // 3 records from CreateVideoConference + 297 guests who entered through presence = 300.
    meeting = (await create({ userId: 'uA1', confTitle: 'Town hall', inviteUserIds: ['uA2', 'uA3'] })) as { conferenceId: string };
    organizer = await userJoins(meeting.conferenceId, 'uA1');
    for (let i = 1; i <= 297; i++) guests.push(await guestJoins(meeting.conferenceId, `Guest ${String(i).padStart(3, '0')}`, i === 1 ? 'host' : 'participant'));
    for (const g of guests.slice(200, 250)) await leaves(meeting.conferenceId, g.memberId);
    for (const g of guests.slice(250, 260)) await server.running.ctx.presence.remove(meeting.conferenceId, g.memberId);
  }, 60_000);

  it('pages through 300 member records, each exactly once, with opaque URL-safe cursors', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const body = (await members(meeting.conferenceId, { maxResults: 7, ...(nextToken ? { nextToken } : {}) })).body!;
      expect(body.totalCount).toBe(300);
      expect(body.memberModels!.length).toBeLessThanOrEqual(7);
      seen.push(...body.memberModels!.map((m) => m.userNick!));
      nextToken = body.nextToken;
      if (nextToken !== undefined) expect(nextToken).toMatch(URL_SAFE);
      pages++;
    } while (nextToken);
    expect(pages).toBe(Math.ceil(300 / 7));
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
    expect(new Set(seen)).toEqual(new Set(['Alice', 'Bob', 'Carol', ...guests.map((g) => g.nick)]));
  });

  it('serves 128 records per page by default; "0" and "" start from the beginning', async () => {
    const first = (await members(meeting.conferenceId)).body!;
    expect(first.memberModels).toHaveLength(128);
    const second = (await members(meeting.conferenceId, { nextToken: first.nextToken! })).body!;
    expect(second.memberModels).toHaveLength(128);
    const third = (await members(meeting.conferenceId, { nextToken: second.nextToken! })).body!;
    expect(third.memberModels).toHaveLength(44);
    expect(third.nextToken).toBeUndefined();
    for (const start of ['0', '']) {
      expect((await members(meeting.conferenceId, { nextToken: start })).body!.memberModels!.map((m) => m.userNick)).toEqual(first.memberModels!.map((m) => m.userNick));
    }
    // maxResults has no upper bound in the docs; one page holds at most 1000, here all 300.
    expect((await members(meeting.conferenceId, { maxResults: 5000 })).body!.memberModels).toHaveLength(300);
  });

  it('returns every record that existed when the walk began exactly once, while people join and leave', async () => {
    const before = new Set((await members(meeting.conferenceId, { maxResults: 1000 })).body!.memberModels!.map((m) => m.userNick!));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let round = 0;
    do {
      const body = (await members(meeting.conferenceId, { maxResults: 50, ...(nextToken ? { nextToken } : {}) })).body!;
      seen.push(...body.memberModels!.map((m) => m.userNick!));
      nextToken = body.nextToken;
      // Between pages: a newcomer, and someone from every part of the order leaves.
      await guestJoins(meeting.conferenceId, `Late ${round}`);
      await leaves(meeting.conferenceId, guests[round * 20 + 2]!.memberId);
      round++;
    } while (nextToken);
    expect(new Set(seen).size).toBe(seen.length);
    for (const nick of before) expect(seen).toContain(nick);
  });

  it('reports each record as presence wrote it: status, roles, times, durations, guests', async () => {
    await sleep(30);
    const all = (await members(meeting.conferenceId, { maxResults: 1000 })).body!.memberModels!;
    const byNick = new Map(all.map((m) => [m.userNick, m]));

    const alice = byNick.get('Alice')!;
    expect(alice).toMatchObject({ unionId: 'uA1', conferenceId: meeting.conferenceId, host: true, coHost: false, attendStatus: 3, outerOrgMember: false, pstnJoin: false });
    // In the room: the running visit counts, and there is no leave time yet.
    expect(alice.leaveTime).toBeUndefined();
    expect(alice.duration).toBeGreaterThanOrEqual(30);
    expect(alice.duration).toBeLessThanOrEqual(Date.now() - alice.joinTime! + 5);

    // Invited, never joined: still being called, no times.
    expect(byNick.get('Bob')).toMatchObject({ unionId: 'uA2', host: false, attendStatus: 2, duration: 0, outerOrgMember: false });
    expect(byNick.get('Bob')!.joinTime).toBeUndefined();

    const hostGuest = byNick.get('Guest 001')!;
    expect(hostGuest).toMatchObject({ host: true, attendStatus: 3, outerOrgMember: true });
    expect(hostGuest.unionId).toBeUndefined();

    const left = byNick.get('Guest 201')!;
    expect(left).toMatchObject({ attendStatus: 6, host: false, outerOrgMember: true });
    expect(left.duration).toBe(left.leaveTime! - left.joinTime!);

    const kicked = byNick.get('Guest 251')!;
    expect(kicked.attendStatus).toBe(5);
    expect(kicked.leaveTime).toBeGreaterThanOrEqual(kicked.joinTime!);
    expect(organizer.unionId).toBe('uA1');
  });

  it('is readable with the read scope alone', async () => {
    expect((await members(meeting.conferenceId, { maxResults: 1 }, acmeRead)).body!.memberModels).toHaveLength(1);
  });

  describe('errors', () => {
    it('404 roomNotFound for an unknown meeting', async () => {
      expectError(await sdkError(members('000000000000000000000000')), 404, 'roomNotFound', 'ROOM NOT FOUND');
    });
    it('400 missingRoomId for an empty id', async () => {
      expectError(await sdkError(members('')), 400, 'missingRoomId', 'MISSING ROOM ID');
    });
    it("403 noPermission for another organization's meeting", async () => {
      expectError(await sdkError(members(meeting.conferenceId, {}, beta)), 403, 'noPermission', 'NO PERMISSION');
    });
    it('400 paramError for a bad maxResults or a cursor that is not from this listing', async () => {
      for (const maxResults of [0, -3, 2.5, 'many']) {
        expectError(await sdkError(members(meeting.conferenceId, { maxResults })), 400, 'paramError', 'PARAM ERROR');
      }
      const other = await create({ userId: 'uA1', confTitle: 'Other' });
      await guestJoins(other.conferenceId!, 'A');
      await guestJoins(other.conferenceId!, 'B');
      const foreignCursor = (await members(other.conferenceId!, { maxResults: 1 })).body!.nextToken!;
      const orgCursor = (await orgList({ maxResults: 1 })).body!.nextToken;
      for (const nextToken of [foreignCursor, orgCursor ?? 'eyJ4IjoxfQ', 'not-a-token', 'AAAA', '%%%']) {
        expectError(await sdkError(members(meeting.conferenceId, { nextToken })), 400, 'paramError', 'PARAM ERROR');
      }
    });
    it('403 with the required scope for a token without the read scope', async () => {
      const err = await sdkError(members(meeting.conferenceId, {}, none));
      expectError(err, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
      expect(err.accessDeniedDetail?.requiredScopes).toEqual([READ]);
    });
  });
});

describe('QueryConferenceInfo counts from real presence', () => {
  it('counts invitations, attendance and who is in the room; times and duration once ended', async () => {
    const m = await create({ userId: 'uA1', confTitle: 'Counted', inviteUserIds: ['uA2', 'uA3'] });
    const a = await guestJoins(m.conferenceId!, 'Guest A');
    await guestJoins(m.conferenceId!, 'Guest B');
    await userJoins(m.conferenceId!, 'uA2');
    await leaves(m.conferenceId!, a.memberId);
    const live = await info(m.conferenceId!);
    expect(live).toMatchObject({ status: 2, invitedNum: 3, attendNum: 3, activeNum: 2 });
    expect(live.endTime).toBeUndefined();

    await sleep(20);
    await ends(m.conferenceId!);
    const ended = await info(m.conferenceId!);
    expect(ended).toMatchObject({ status: 1, invitedNum: 3, attendNum: 3, activeNum: 0 });
    expect(ended.confDuration).toBe(ended.endTime! - ended.startTime!);
    expect(ended.confDuration).toBeGreaterThanOrEqual(20);
  });
});

describe('QueryConferenceInfoBatch', () => {
  it('answers the meetings that have not ended, in request order, with their people', async () => {
    const waiting = await create({ userId: 'uA1', confTitle: 'Waiting', inviteUserIds: ['uA2'] });
    const running = await create({ userId: 'uA2', confTitle: 'Running' });
    const over = await create({ userId: 'uA1', confTitle: 'Over' });
    await guestJoins(running.conferenceId!, 'Visitor');
    await guestJoins(over.conferenceId!, 'Late');
    await ends(over.conferenceId!);

    const ids = [running.conferenceId!, 'ffffffffffffffffffffffff', over.conferenceId!, waiting.conferenceId!, running.conferenceId!];
    const { infos } = (await batch(ids)).body!;
    // Ended and unknown ids are left out; duplicates answer once.
    expect(infos!.map((i) => i.conferenceId)).toEqual([running.conferenceId, waiting.conferenceId]);
    const [r, w] = infos!;
    expect(r).toMatchObject({ title: 'Running', status: 2 });
    expect(r!.startTime).toBeGreaterThan(0);
    expect(r!.userList!.map((u) => [u.nick, u.userId, u.attendStatus]).sort()).toEqual(
      [
        ['Bob', 'uA2', 2],
        ['Visitor', undefined, 3],
      ].sort(),
    );
    expect(w).toMatchObject({ title: 'Waiting', status: 0 });
    expect(w!.userList!.map((u) => [u.userId, u.attendStatus]).sort()).toEqual([
      ['uA1', 2],
      ['uA2', 2],
    ]);
  });

  it('reports microphone and camera of the people in the live room, as their pages report them', async () => {
    const m = await create({ userId: 'uA1', confTitle: 'Live media', inviteCaller: false });
    const admitted = await admit(server.url, linkToken(m.externalLinkUrl!));
    const page = await RoomClient.enter(server.url, admitted, { name: 'Socket guest', mic: true });
    try {
      const person = async () => (await batch([m.conferenceId!])).body!.infos![0]!.userList!.find((u) => u.nick === 'Socket guest');
      expect(await person()).toMatchObject({ attendStatus: 3, micStatus: 2, cameraStatus: 1 });
      page.send({ type: 'media', mic: false, camera: true, screen: false });
      expect(await eventually(person, (p) => p?.micStatus === 1)).toMatchObject({ micStatus: 1, cameraStatus: 2 });
      // Someone who is not in the room has no media state to report.
      await guestJoins(m.conferenceId!, 'Presence only');
      const quiet = (await batch([m.conferenceId!])).body!.infos![0]!.userList!.find((u) => u.nick === 'Presence only')!;
      expect(quiet.micStatus).toBeUndefined();
      expect(quiet.cameraStatus).toBeUndefined();
    } finally {
      page.close();
    }
    await page.closed;
    const gone = await eventually(
      async () => (await batch([m.conferenceId!])).body!.infos![0]!.userList!.find((u) => u.nick === 'Socket guest'),
      (p) => p?.attendStatus === 6,
    );
    expect(gone).toMatchObject({ attendStatus: 6 });
    expect(gone!.micStatus).toBeUndefined();
  });

  describe('errors', () => {
    it('400 paramsError for a missing, empty, mistyped or too long conferenceIdList', async () => {
      expectError(await sdkError(batch(undefined)), 400, 'paramsError', 'error:conferenceIdList is required');
      expectError(await sdkError(batch([])), 400, 'paramsError', 'error:conferenceIdList must not be empty');
      expectError(await sdkError(batch([1, 2])), 400, 'paramsError', /^error:conferenceIdList/);
      // The SDK refuses to send a string where its model has an array; a hand-made request can.
      const raw = await fetch(`${server.url}/v1.0/conference/videoConferences/query`, {
        method: 'POST',
        headers: { 'x-acs-dingtalk-access-token': acme, 'content-type': 'application/json' },
        body: JSON.stringify({ conferenceIdList: 'abc' }),
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toMatchObject({ code: 'paramsError', message: 'error:conferenceIdList must be array' });
      const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(24, '0'));
      expectError(await sdkError(batch(many)), 400, 'paramsError', 'error:conferenceIdList must not hold more than 100 ids');
      // 100 distinct ids are fine (none exists here).
      expect((await batch(many.slice(0, 100))).body!.infos).toEqual([]);
    });
    it("404 permissionError when an id is another organization's meeting", async () => {
      const mine = await create({ userId: 'uA1', confTitle: 'Mine' });
      const theirs = await create({ userId: 'uB1', confTitle: 'Theirs' }, beta);
      expectError(await sdkError(batch([mine.conferenceId!, theirs.conferenceId!])), 404, 'permissionError', `permissionError:conference ${theirs.conferenceId} belongs to another organization`);
    });
    it('403 with the required scope for a token without the read scope', async () => {
      const err = await sdkError(batch(['x'], none));
      expectError(err, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
      expect(err.accessDeniedDetail?.requiredScopes).toEqual([READ]);
    });
  });
});

describe('QueryConferenceInfoByRoomCode', () => {
  it("lists the organization's meetings behind a room code, newest first, paged", async () => {
    const code = '30000000001';
    const base = Date.now() - 3600_000;
    const live = meetingRow({ conferenceId: 'c'.repeat(24), corpId: 'dingacme', roomCode: code, createdAt: base + 24_000, status: MeetingStatus.started, endTime: null });
    await repo().create(live, []);
    for (let i = 0; i < 23; i++) {
      await repo().create(meetingRow({ conferenceId: `a${String(i).padStart(23, '0')}`, corpId: 'dingacme', roomCode: code, createdAt: base + i * 1000 }), []);
    }
    // The same code, used earlier by another organization: not Acme's to see.
    await repo().create(meetingRow({ conferenceId: 'b'.repeat(24), corpId: 'dingbeta', roomCode: code, createdAt: base - 5000 }), []);

    const pages = [];
    let nextToken: string | undefined;
    do {
      const body = (await byRoomCode(code, { maxResults: 10, ...(nextToken ? { nextToken } : {}) })).body!;
      expect(body.totalCount).toBe(24);
      expect(body.hasMore).toBe(body.nextToken !== undefined);
      if (body.nextToken) expect(body.nextToken).toMatch(URL_SAFE);
      pages.push(body.conferenceList!);
      nextToken = body.nextToken;
    } while (nextToken);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 4]);
    const all = pages.flat();
    expect(all.map((m) => m.conferenceId)).toEqual([live.conferenceId, ...Array.from({ length: 23 }, (_, i) => `a${String(22 - i).padStart(23, '0')}`)]);
    expect(all[0]).toMatchObject({ status: 2, roomCode: code, title: live.title, creatorId: 'uA1', creatorNick: 'Alice', bizType: '0', startTime: live.startTime });
    expect(all[0]!.endTime).toBeUndefined();
    expect(all[1]).toMatchObject({ status: 1, endTime: base + 22_000 + 61_000, confDuration: 60_000 });
    expect(all[1]!.externalLinkUrl).toContain(`roomCode=${code}`);
    // Room codes printed in groups mean the same code.
    const spaced = await fetch(`${server.url}/v1.0/conference/roomCodes/300%2000000%20001/infos?maxResults=1`, { headers: { 'x-acs-dingtalk-access-token': acme } });
    expect(((await spaced.json()) as { totalCount: number }).totalCount).toBe(24);
  });

  it('describes a meeting created through the API exactly as CreateVideoConference did, also once ended', async () => {
    const m = await create({ userId: 'uA2', confTitle: 'By code' });
    const [item] = (await byRoomCode(m.roomCode!)).body!.conferenceList!;
    expect(item).toMatchObject({ conferenceId: m.conferenceId, externalLinkUrl: m.externalLinkUrl, roomCode: m.roomCode, status: 0, title: 'By code', creatorId: 'uA2' });
    await guestJoins(m.conferenceId!, 'Someone');
    await ends(m.conferenceId!);
    const [after] = (await byRoomCode(m.roomCode!)).body!.conferenceList!;
    expect(after).toMatchObject({ conferenceId: m.conferenceId, status: 1 });
    expect(after!.confDuration).toBe(after!.endTime! - after!.startTime!);
  });

  describe('errors', () => {
    it('400 invalidRoomCode for a code no meeting used, or one that is not digits', async () => {
      for (const code of ['19999999999', 'abc', '12a45']) expectError(await sdkError(byRoomCode(code)), 400, 'invalidRoomCode', 'invalidRoomCode');
    });
    it('400 missingRoomCode for an empty code', async () => {
      expectError(await sdkError(byRoomCode('')), 400, 'missingRoomCode', 'missingRoomCode');
    });
    it('400 invalidRoomCode for a code only other organizations used, as for an unused one (no existence oracle)', async () => {
      const theirs = await create({ userId: 'uB1', confTitle: 'Beta room' }, beta);
      expectError(await sdkError(byRoomCode(theirs.roomCode!)), 400, 'invalidRoomCode', 'invalidRoomCode');
      expect((await byRoomCode(theirs.roomCode!, {}, beta)).body!.totalCount).toBe(1);
    });
    it('400 paramError for a bad maxResults or nextToken', async () => {
      const m = await create({ userId: 'uA1', confTitle: 'Paged' });
      for (const page of [{ maxResults: 0 }, { maxResults: 'x' }, { nextToken: 'bogus' }]) {
        expectError(await sdkError(byRoomCode(m.roomCode!, page)), 400, 'paramError', 'paramError');
      }
    });
    it('403 with the required scope for a token without the read scope', async () => {
      const err = await sdkError(byRoomCode('12345678901', {}, none));
      expectError(err, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
      expect(err.accessDeniedDetail?.requiredScopes).toEqual([READ]);
    });
  });
});

describe('QueryOrgConferenceList', () => {
  it("pages through the token organization's meetings in progress, newest first", async () => {
    // Small Corp's meetings, which no other test touches.
    const created = [];
    for (let i = 0; i < 6; i++) {
      created.push(await create({ userId: 'uS1', confTitle: `Small ${i}`, inviteCaller: false }, small));
      await sleep(3);
    }
    for (const m of created.slice(0, 5)) await guestJoins(m.conferenceId!, 'Guest');
    await ends(created[2]!.conferenceId!);
    const expected = [created[4], created[3], created[1], created[0]].map((m) => m!.conferenceId);

    const first = (await orgList({ maxResults: 3 }, small)).body!;
    expect(first).toMatchObject({ totalCount: 4, hasMore: true });
    expect(first.nextToken).toMatch(URL_SAFE);
    const second = (await orgList({ maxResults: 3, nextToken: first.nextToken! }, small)).body!;
    expect(second).toMatchObject({ totalCount: 4, hasMore: false });
    expect(second.nextToken).toBeUndefined();
    const all = [...first.onGoingConfList!, ...second.onGoingConfList!];
    expect(all.map((m) => m.conferenceId)).toEqual(expected);
    expect(all[0]).toMatchObject({ status: 2, title: 'Small 4', creatorId: 'uS1', creatorNick: 'Sia', bizType: '0', roomCode: created[4]!.roomCode });
    expect(all[0]!.startTime).toBeGreaterThan(0);
    expect(all[0]!.endTime).toBeUndefined();

    // Default page size 20 holds them all; other organizations see none of them.
    expect((await orgList({}, small)).body!.onGoingConfList!.map((m) => m.conferenceId)).toEqual(expected);
    const acmeIds = (await orgList({ maxResults: 100 }, acmeRead)).body!.onGoingConfList!.map((m) => m.conferenceId);
    for (const id of expected) expect(acmeIds).not.toContain(id);
  });

  describe('errors', () => {
    it('400 paramError (PARAM ERROR) for a bad maxResults or nextToken', async () => {
      for (const page of [{ maxResults: 0 }, { maxResults: 'ten' }, { maxResults: 1.5 }, { nextToken: 'garbage' }]) {
        expectError(await sdkError(orgList(page)), 400, 'paramError', 'PARAM ERROR');
      }
      // A cursor of another organization's listing is not this one's.
      await guestJoins((await create({ userId: 'uB1', confTitle: 'B1' }, beta)).conferenceId!, 'x');
      await guestJoins((await create({ userId: 'uB1', confTitle: 'B2' }, beta)).conferenceId!, 'y');
      const betaCursor = (await orgList({ maxResults: 1 }, beta)).body!.nextToken!;
      expectError(await sdkError(orgList({ nextToken: betaCursor })), 400, 'paramError', 'PARAM ERROR');
    });
    it('403 with the required scope for a token without the read scope', async () => {
      const err = await sdkError(orgList({}, none));
      expectError(err, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
      expect(err.accessDeniedDetail?.requiredScopes).toEqual([READ]);
    });
  });
});

describe('QueryUserOnGoingConference', () => {
  it("lists the meetings a user is in now, with the user's record keyed by conferenceId", async () => {
    const one = await create({ userId: 'uA1', confTitle: 'One', inviteUserIds: ['uA3'] });
    const two = await create({ userId: 'uA1', confTitle: 'Two', inviteUserIds: ['uA3'] });
    const three = await create({ userId: 'uA1', confTitle: 'Three', inviteUserIds: ['uA3'] });
    expect((await userOngoing('uA3')).body).toEqual({ onGoingConfIdList: [], memberModelMap: {} });

    const inOne = await userJoins(one.conferenceId!, 'uA3');
    await userJoins(two.conferenceId!, 'uA3');
    // Invited to three but not there.
    await sleep(20);
    const body = (await userOngoing('uA3')).body!;
    expect(body.onGoingConfIdList).toEqual([two.conferenceId, one.conferenceId]);
    expect(Object.keys(body.memberModelMap!).sort()).toEqual([one.conferenceId, two.conferenceId].sort());
    const record = body.memberModelMap![one.conferenceId!]!;
    expect(record).toMatchObject({ unionId: 'uA3', conferenceId: one.conferenceId, userNick: 'Carol', attendStatus: 3, host: false, coHost: false, outerOrgMember: false, pstnJoin: false });
    expect(record.duration).toBeGreaterThanOrEqual(20);
    expect(record.leaveTime).toBeUndefined();

    await leaves(one.conferenceId!, inOne.memberId);
    await ends(two.conferenceId!);
    expect((await userOngoing('uA3', acmeRead)).body).toEqual({ onGoingConfIdList: [], memberModelMap: {} });
    expect(three.conferenceId).toBeDefined();
  });

  it("shows only the token organization's meetings of a person in two organizations", async () => {
    const betaMeeting = await create({ userId: 'uB1', confTitle: 'Beta talk', inviteUserIds: ['uShared'] }, beta);
    await userJoins(betaMeeting.conferenceId!, 'uShared');
    expect((await userOngoing('uShared', beta)).body!.onGoingConfIdList).toEqual([betaMeeting.conferenceId]);
    expect((await userOngoing('uShared', acme)).body!.onGoingConfIdList).toEqual([]);
  });

  describe('errors', () => {
    it('400 param.error / missing.user.info without a unionId', async () => {
      expectError(await sdkError(userOngoing(undefined)), 400, 'param.error', 'missing.user.info');
      expectError(await sdkError(userOngoing('')), 400, 'param.error', 'missing.user.info');
    });
    it("400 param.error / param.error for a unionId outside the token's organization", async () => {
      for (const unionId of ['nobody', 'uB1']) expectError(await sdkError(userOngoing(unionId)), 400, 'param.error', 'param.error');
    });
    it('403 with the required scope for a token without the read scope', async () => {
      const err = await sdkError(userOngoing('uA1', none));
      expectError(err, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
      expect(err.accessDeniedDetail?.requiredScopes).toEqual([READ]);
    });
  });
});

describe('system errors', () => {
  it('each operation answers a storage failure with its own catalogued 500, without internals', async () => {
    const broken = await startTestServer();
    try {
      const token = await appToken(broken.endpoint, 'acme-app', 's3cret');
      const c = conferenceClient(broken.endpoint);
      const h = confHeaders(token);
      const m = (await c.createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Doomed' }), h, runtime())).body!;
      // The meeting tables are taken away underneath the running server.
      await sql`alter table meeting_members rename to meeting_members_gone`.execute(broken.db);
      await sql`alter table meetings rename to meetings_gone`.execute(broken.db);
      // Each call is made when its turn comes: a rejection must not wait unobserved for an earlier one.
      const cases: Array<[() => Promise<unknown>, string, string | RegExp]> = [
        [
          () => c.queryConferenceInfoBatchWithOptions(new $conference.QueryConferenceInfoBatchRequest({ conferenceIdList: [m.conferenceId!] }), h, runtime()),
          'systemError',
          /^systemError:internal error, request id [0-9A-F-]{36}$/,
        ],
        [() => c.queryConferenceInfoByRoomCodeWithOptions(m.roomCode!, new $conference.QueryConferenceInfoByRoomCodeRequest({}), h, runtime()), 'systemError', 'systemError'],
        [() => c.queryConferenceMembersWithOptions(m.conferenceId!, new $conference.QueryConferenceMembersRequest({}), h, runtime()), 'systemError', 'SYSTEM ERROR'],
        [() => c.queryOrgConferenceListWithOptions(new $conference.QueryOrgConferenceListRequest({}), h, runtime()), 'systemError', 'SYSTEM ERROR'],
        [() => c.queryUserOnGoingConferenceWithOptions(new $conference.QueryUserOnGoingConferenceRequest({ unionId: 'uA1' }), h, runtime()), 'system.error', 'system.error'],
      ];
      for (const [call, code, message] of cases) expectError(await sdkError(call()), 500, code, message);
    } finally {
      await broken.stop();
    }
  });
});
