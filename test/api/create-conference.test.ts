/** CreateVideoConference through the official SDK: every rule of the seed page and of issue 2 §4. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failInserts, rowOf, rowsOf } from '../support/db-peek.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError, type SdkError } from '../support/sdk.js';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

interface MeetingRow {
  conference_id: string;
  corp_id: string;
  title: string;
  status: number;
  biz_type: string;
  creator_union_id: string;
  creator_nick: string;
  room_code: string;
  conference_password: string;
  host_password: string;
  join_token: string;
  invite_caller: number;
  created_at: number;
}

interface MemberRow {
  union_id: string;
  corp_id: string;
  host: number;
  co_host: number;
  attend_status: number;
  invited_at: number | null;
  join_time: number | null;
}

/** A running server plus a direct look at its database (SQLite or PostgreSQL) and a token per app. */
async function harness(config?: Parameters<typeof startTestServer>[0]) {
  const server = await startTestServer(config);
  const client = conferenceClient(server.endpoint);
  const tokens = new Map<string, string>();
  const secrets: Record<string, string> = { 'acme-app': 's3cret', 'beta-app': 'b3ta', 'off-app': '0ff', 'small-app': 'sm4ll' };
  const h = {
    server,
    async token(app = 'acme-app') {
      if (!tokens.has(app)) tokens.set(app, await appToken(server.endpoint, app, secrets[app]!));
      return tokens.get(app)!;
    },
    async create(fields: Record<string, unknown>, app = 'acme-app') {
      // Assigned after construction: the model's constructor refuses a non-array inviteUserIds
      // client-side, and the server must be shown such values too.
      const request = Object.assign(new $conference.CreateVideoConferenceRequest({}), fields);
      const res = await client.createVideoConferenceWithOptions(
        request,
        confHeaders(await h.token(app)),
        runtime(),
      );
      return res.body!;
    },
    async counts() {
      const row = await rowOf<{ meetings: number; members: number }>(
        server.db,
        sql`select (select count(*) from meetings) as meetings, (select count(*) from meeting_members) as members`,
      );
      return { meetings: Number(row!.meetings), members: Number(row!.members) };
    },
    meeting(conferenceId: string) {
      return rowOf<MeetingRow>(server.db, sql`select * from meetings where conference_id = ${conferenceId}`);
    },
    members(conferenceId: string) {
      return rowsOf<MemberRow>(server.db, sql`select * from meeting_members where conference_id = ${conferenceId} order by union_id`);
    },
    /** Every insert into `table` with `column` = `value` fails until the returned function runs. */
    failInserts(table: string, column: string, value: string) {
      return failInserts(server.db, table, column, value, `injected ${table} failure`);
    },
    /** A create that must fail and must leave the database as it was. */
    async rejected(fields: Record<string, unknown>, app = 'acme-app'): Promise<SdkError> {
      const before = await h.counts();
      const err = await sdkError(h.create(fields, app));
      expect(await h.counts()).toEqual(before);
      return err;
    },
    async stop() {
      await server.stop();
    },
  };
  return h;
}

function expectError(err: SdkError, statusCode: number, code: string, message?: string | RegExp) {
  expect({ statusCode: err.statusCode, code: err.code }).toEqual({ statusCode, code });
  expect(err.data.requestid).toMatch(REQUEST_ID);
  if (typeof message === 'string') expect(err.data.message).toBe(message);
  else if (message) expect(err.data.message).toMatch(message);
}

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => h.stop());

describe('a created meeting', () => {
  it('answers every response field with the types of the spec', async () => {
    const res = await h.create({ userId: 'uA1', confTitle: 'Weekly', inviteUserIds: ['uA2'] });
    expect(Object.keys(res).sort()).toEqual(['conferenceId', 'conferencePassword', 'externalLinkUrl', 'hostPassword', 'phoneNumbers', 'roomCode']);
    expect(encodeURIComponent(res.conferenceId!)).toBe(res.conferenceId);
    expect(res.conferenceId!.length).toBeGreaterThanOrEqual(16);
    expect(res.roomCode).toMatch(/^\d{11}$/);
    expect(res.conferencePassword).toMatch(/^\d+$/);
    expect(res.hostPassword).toMatch(/^\d+$/);
    expect(res.hostPassword).not.toBe(res.conferencePassword);
    expect(res.phoneNumbers).toEqual([]);
  });

  it('links to the public URL with the room code and a join token of at least 128 bits', async () => {
    const res = await h.create({ userId: 'uA1', confTitle: 'Link' });
    const match = /^(.*)\/app\?roomCode=(\d{11})&token=([A-Za-z0-9_-]+)$/.exec(res.externalLinkUrl!);
    expect(match).not.toBeNull();
    const [, base, roomCode, token] = match!;
    expect(base).toBe(h.server.url);
    expect(roomCode).toBe(res.roomCode);
    expect(token!.length).toBeGreaterThanOrEqual(22);
    expect((await h.meeting(res.conferenceId!))!.join_token).toBe(token);
  });

  it('stores one meeting row with the organizer, the org, the codes and the creation time', async () => {
    const before = Date.now();
    const res = await h.create({ userId: 'uA1', confTitle: 'Stored' });
    const row = (await h.meeting(res.conferenceId!))!;
    expect(row).toMatchObject({
      corp_id: 'dingacme',
      title: 'Stored',
      status: 0,
      biz_type: '0',
      creator_union_id: 'uA1',
      creator_nick: 'Alice',
      room_code: res.roomCode,
      conference_password: res.conferencePassword,
      host_password: res.hostPassword,
      invite_caller: 1,
    });
    expect(row.created_at).toBeGreaterThanOrEqual(before);
    expect(row.created_at).toBeLessThanOrEqual(Date.now());
  });

  it('gives unique ids, room codes and join tokens across many creates, each well under 3 s', async () => {
    const ids = new Set<string>();
    const rooms = new Set<string>();
    const links = new Set<string>();
    const took: number[] = [];
    for (let i = 0; i < 150; i++) {
      const t0 = performance.now();
      const res = await h.create({ userId: 'uA1', confTitle: `Meeting ${i}`, inviteUserIds: ['uA2', 'uA3'] });
      took.push(performance.now() - t0);
      ids.add(res.conferenceId!);
      rooms.add(res.roomCode!);
      links.add(new URL(res.externalLinkUrl!).searchParams.get('token')!);
    }
    expect([ids.size, rooms.size, links.size]).toEqual([150, 150, 150]);
    took.sort((a, b) => a - b);
    console.info(`create latency over 150 SDK calls: p50 ${took[75]!.toFixed(1)} ms, max ${took[149]!.toFixed(1)} ms`);
    expect(took[149]).toBeLessThan(1000);
  });

  it('returns the configured dial-in numbers', async () => {
    const other = await harness({ config: { phoneNumbers: ['0571-26883112', '+86 10 8888 0000'] } });
    try {
      const res = await other.create({ userId: 'uA1', confTitle: 'Dial-in' });
      expect(res.phoneNumbers).toEqual(['0571-26883112', '+86 10 8888 0000']);
    } finally {
      await other.stop();
    }
  });
});

describe('members', () => {
  it('rings the organizer by default and makes the organizer the host', async () => {
    const res = await h.create({ userId: 'uA1', confTitle: 'Default ring', inviteUserIds: ['uA2'] });
    const members = await h.members(res.conferenceId!);
    expect(members.map((m) => [m.union_id, m.corp_id, m.host, m.attend_status])).toEqual([
      ['uA1', 'dingacme', 1, 2],
      ['uA2', 'dingacme', 0, 2],
    ]);
    expect(members.every((m) => m.invited_at !== null && m.join_time === null && m.co_host === 0)).toBe(true);
    expect((await h.meeting(res.conferenceId!))!.invite_caller).toBe(1);
  });

  it('does not ring the organizer with inviteCaller false, who is still the host', async () => {
    const res = await h.create({ userId: 'uA1', confTitle: 'No ring', inviteUserIds: ['uA2'], inviteCaller: false });
    const members = await h.members(res.conferenceId!);
    expect(members.map((m) => [m.union_id, m.host, m.attend_status, m.invited_at === null])).toEqual([
      ['uA1', 1, 1, true],
      ['uA2', 0, 2, false],
    ]);
    expect((await h.meeting(res.conferenceId!))!.invite_caller).toBe(0);
  });

  it('collapses duplicate invitees and the organizer listed as an invitee', async () => {
    const res = await h.create({ userId: 'uA1', confTitle: 'Dupes', inviteUserIds: ['uA2', 'uA3', 'uA2', 'uA1', 'uA3'] });
    expect((await h.members(res.conferenceId!)).map((m) => [m.union_id, m.host])).toEqual([
      ['uA1', 1],
      ['uA2', 0],
      ['uA3', 0],
    ]);
  });

  it('creates a meeting with only the organizer', async () => {
    const res = await h.create({ userId: 'uA2', confTitle: 'Alone', inviteUserIds: [] });
    expect((await h.members(res.conferenceId!)).map((m) => [m.union_id, m.host, m.attend_status])).toEqual([['uA2', 1, 2]]);
  });
});

describe('confTitle', () => {
  const stored = async (confTitle: string) => (await h.meeting((await h.create({ userId: 'uA1', confTitle })).conferenceId!))!.title;

  it('keeps 50 characters', async () => {
    expect(await stored('x'.repeat(50))).toBe('x'.repeat(50));
  });

  it('keeps a title with a NUL character, which PostgreSQL stores as U+FFFD (its text cannot hold U+0000)', async () => {
    expect(await stored('before\u0000after')).toBe(h.server.store === 'postgres' ? 'before\uFFFDafter' : 'before\u0000after');
  });

  it('truncates 51 and 256 characters to 50', async () => {
    expect(await stored('y'.repeat(51))).toBe('y'.repeat(50));
    expect(await stored(`${'a'.repeat(50)}${'z'.repeat(206)}`)).toBe('a'.repeat(50));
  });

  it('refuses 257 characters with paramsTitleError', async () => {
    expectError(await h.rejected({ userId: 'uA1', confTitle: 'w'.repeat(257) }), 400, 'paramsTitleError', /^error:/);
  });

  it('counts code points: 50 Chinese characters are kept whole and 51 lose only the last', async () => {
    const fifty = '视频会议'.repeat(13).slice(0, 50);
    expect(await stored(fifty)).toBe(fifty);
    expect(await stored(`${fifty}尾`)).toBe(fifty);
  });

  it('never splits an emoji at the 50/51 boundary', async () => {
    const a49 = 'a'.repeat(49);
    // 50 code points but 51 UTF-16 units: a unit-based cut would halve the emoji.
    expect(await stored(`${a49}😀`)).toBe(`${a49}😀`);
    expect(await stored(`${a49}😀b`)).toBe(`${a49}😀`);
    expect(await stored(`${'a'.repeat(50)}😀`)).toBe('a'.repeat(50));
  });

  it('applies the 256 limit to code points, not UTF-16 units', async () => {
    expect(await stored('🎉'.repeat(256))).toBe('🎉'.repeat(50));
    expectError(await h.rejected({ userId: 'uA1', confTitle: '🎉'.repeat(257) }), 400, 'paramsTitleError');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '  \t '],
    ['ideographic space', '\u3000'],
    ['a number', 42],
    ['a boolean', true],
    ['an array', ['Weekly']],
    ['an object', { text: 'Weekly' }],
  ])('refuses a title that is %s with paramsTitleError', async (_what, confTitle) => {
    expectError(await h.rejected({ userId: 'uA1', confTitle }), 400, 'paramsTitleError', /^error:/);
  });
});

describe('people', () => {
  it('refuses an unknown organizer with unknownUserError', async () => {
    expectError(await h.rejected({ userId: 'nobody', confTitle: 'T' }), 400, 'unknownUserError', 'unknownUserError');
  });

  it('refuses an unknown invitee with unknownUserError', async () => {
    expectError(await h.rejected({ userId: 'uA1', confTitle: 'T', inviteUserIds: ['uA2', 'ghost'] }), 400, 'unknownUserError');
  });

  it('refuses an organizer of another organization with orgAccessForbidden', async () => {
    expectError(await h.rejected({ userId: 'uB1', confTitle: 'T' }), 400, 'orgAccessForbidden', 'orgAccessForbidden');
  });

  it('refuses an invitee of another organization with orgAccessForbidden', async () => {
    expectError(await h.rejected({ userId: 'uA1', confTitle: 'T', inviteUserIds: ['uA2', 'uB1'] }), 400, 'orgAccessForbidden');
  });

  it('reports an unknown id before a foreign one', async () => {
    expectError(await h.rejected({ userId: 'uA1', confTitle: 'T', inviteUserIds: ['uB1', 'ghost'] }), 400, 'unknownUserError');
  });

  it('accepts a person who belongs to both organizations, in either', async () => {
    const asOrganizer = await h.create({ userId: 'uShared', confTitle: 'Shared' });
    expect(await h.meeting(asOrganizer.conferenceId!)).toMatchObject({ corp_id: 'dingacme', creator_nick: 'Sam (in Acme and Beta)' });
    const asInvitee = await h.create({ userId: 'uA1', confTitle: 'Shared', inviteUserIds: ['uShared'] });
    expect((await h.members(asInvitee.conferenceId!)).map((m) => [m.union_id, m.corp_id])).toEqual([
      ['uA1', 'dingacme'],
      ['uShared', 'dingacme'],
    ]);
    const inBeta = await h.create({ userId: 'uShared', confTitle: 'Shared', inviteUserIds: ['uB1'] }, 'beta-app');
    expect((await h.meeting(inBeta.conferenceId!))!.corp_id).toBe('dingbeta');
    expect((await h.members(inBeta.conferenceId!)).map((m) => m.corp_id)).toEqual(['dingbeta', 'dingbeta']);
  });

  it('refuses every create of a disabled organization with orgAccessForbidden', async () => {
    expectError(await h.rejected({ userId: 'uO1', confTitle: 'T' }, 'off-app'), 400, 'orgAccessForbidden');
  });

  it('refuses an organizer who may not create meetings with 404 permissionError', async () => {
    expectError(await h.rejected({ userId: 'uA4', confTitle: 'T' }), 404, 'permissionError', /^permissionError:/);
  });

  it('lets that person be invited', async () => {
    const res = await h.create({ userId: 'uA1', confTitle: 'T', inviteUserIds: ['uA4'] });
    expect((await h.members(res.conferenceId!)).map((m) => m.union_id)).toEqual(['uA1', 'uA4']);
  });
});

describe('malformed input', () => {
  it.each([
    ['userId missing', { confTitle: 'T' }],
    ['userId a number', { userId: 7, confTitle: 'T' }],
    ['userId an array', { userId: ['uA1'], confTitle: 'T' }],
    ['inviteUserIds a string', { userId: 'uA1', confTitle: 'T', inviteUserIds: 'uA2' }],
    ['inviteUserIds with a number', { userId: 'uA1', confTitle: 'T', inviteUserIds: ['uA2', 3] }],
    ['inviteUserIds an object', { userId: 'uA1', confTitle: 'T', inviteUserIds: { 0: 'uA2' } }],
    ['inviteCaller a string', { userId: 'uA1', confTitle: 'T', inviteCaller: 'false' }],
    ['inviteCaller a number', { userId: 'uA1', confTitle: 'T', inviteCaller: 0 }],
  ])('refuses %s with paramsError', async (_what, fields) => {
    expectError(await h.rejected(fields), 400, 'paramsError', /^error:/);
  });

  /** A raw POST with a valid token, for bodies the SDK cannot produce. */
  async function post(body: string | undefined, contentType?: string) {
    const before = h.counts();
    const res = await fetch(`${h.server.url}/v1.0/conference/videoConferences`, {
      method: 'POST',
      headers: { 'x-acs-dingtalk-access-token': await h.token(), ...(contentType ? { 'content-type': contentType } : {}) },
      body,
    });
    expect(h.counts()).toEqual(before);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it.each(['[]', '[{"userId":"uA1","confTitle":"T"}]', '"text"', '42', 'true', 'null', '{"userId":', '{"__proto__":{"x":1}}'])(
    'refuses the body %s with paramsError',
    async (body) => {
      const res = await post(body, 'application/json');
      expect([res.status, res.body.code]).toEqual([400, 'paramsError']);
    },
  );

  it.each([
    ['no body at all', undefined, undefined],
    ['an empty JSON body', '', 'application/json'],
    ['a text body', 'userId=uA1&confTitle=T', 'text/plain'],
    ['a form body', 'userId=uA1&confTitle=T', 'application/x-www-form-urlencoded'],
  ])('answers %s with Missingbody', async (_what, body, contentType) => {
    const res = await post(body, contentType);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'Missingbody', message: 'body is mandatory for this action.' });
  });

  it('ignores unknown body fields', async () => {
    const res = await h.create({ userId: 'uA1', confTitle: 'Extra', somethingElse: 1 });
    expect(res.roomCode).toMatch(/^\d{11}$/);
  });
});

describe('participant limit', () => {
  let small: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    small = await harness();
  });
  afterAll(async () => small.stop());

  it('refuses organizer plus 3 distinct invitees above a limit of 3 with 404 waterLimitError', async () => {
    const err = await small.rejected({ userId: 'uS1', confTitle: 'T', inviteUserIds: ['uS2', 'uS3', 'uS4'], inviteCaller: false }, 'small-app');
    expectError(err, 404, 'waterLimitError', /^waterLimitError:/);
  });

  it('counts distinct people: duplicates and the organizer do not count twice', async () => {
    const res = await small.create({ userId: 'uS1', confTitle: 'T', inviteUserIds: ['uS2', 'uS3', 'uS2', 'uS1'], inviteCaller: false }, 'small-app');
    expect(await small.members(res.conferenceId!)).toHaveLength(3);
  });
});

describe('invitation budget', () => {
  let small: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    small = await harness();
  });
  afterAll(async () => small.stop());

  it('spends 5 invitations per minute, refuses the create that would exceed it, and writes nothing', async () => {
    // organizer rung + 2 invitees = 3 of the 5.
    await small.create({ userId: 'uS1', confTitle: 'one', inviteUserIds: ['uS2', 'uS3'] }, 'small-app');
    const err = await small.rejected({ userId: 'uS1', confTitle: 'two', inviteUserIds: ['uS2', 'uS3'] }, 'small-app');
    expectError(err, 404, 'waterLimitError', /^waterLimitError:/);
    // The refused create took nothing: the 2 left are still there.
    await small.create({ userId: 'uS1', confTitle: 'three', inviteUserIds: ['uS2', 'uS4'], inviteCaller: false }, 'small-app');
    // A meeting that rings nobody needs no budget.
    await small.create({ userId: 'uS1', confTitle: 'quiet', inviteCaller: false }, 'small-app');
    expectError(await small.rejected({ userId: 'uS1', confTitle: 'four' }, 'small-app'), 404, 'waterLimitError');
  });

  it('is per organization', async () => {
    await small.create({ userId: 'uA1', confTitle: 'acme is unaffected', inviteUserIds: ['uA2', 'uA3'] });
  });
});

describe('transaction', () => {
  it('writes nothing and answers 500 systemError without internals when the member insert fails', async () => {
    // A trigger makes the second insert of the transaction fail; the meeting row must roll back with it.
    const repair = await h.failInserts('meeting_members', 'union_id', 'uA3');
    try {
      const err = await h.rejected({ userId: 'uA1', confTitle: 'Doomed', inviteUserIds: ['uA2', 'uA3'] });
      expectError(err, 500, 'systemError', /^systemError:/);
      expect(err.data.message).not.toMatch(/injected|SQLITE|meeting_members/i);
    } finally {
      await repair();
    }
    const res = await h.create({ userId: 'uA1', confTitle: 'Fine again', inviteUserIds: ['uA2', 'uA3'] });
    expect(await h.members(res.conferenceId!)).toHaveLength(3);
  });

  it('fails only the broken create among concurrent ones, which commit together (SQLite group commit, PostgreSQL batches)', async () => {
    const repair = await h.failInserts('meetings', 'title', 'Doomed twin');
    try {
      const titles = Array.from({ length: 12 }, (_, i) => (i === 5 ? 'Doomed twin' : `Together ${i}`));
      const results = await Promise.allSettled(titles.map((confTitle) => h.create({ userId: 'uA1', confTitle, inviteUserIds: ['uA2'] })));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      expect(failed).toEqual([5]);
      expectError((results[5] as PromiseRejectedResult).reason as SdkError, 500, 'systemError', /^systemError:/);
      for (const r of results) {
        if (r.status === 'fulfilled') expect(await h.members(r.value.conferenceId!)).toHaveLength(2);
      }
      expect(await rowOf(h.server.db, sql`select count(*) as n from meetings where title = 'Doomed twin'`)).toEqual({ n: 0 });
    } finally {
      await repair();
    }
  });

  it('gives back the invitations a failed write had taken', async () => {
    const small = await harness();
    try {
      const repair = await small.failInserts('meeting_members', 'union_id', 'uS3');
      expectError(await small.rejected({ userId: 'uS1', confTitle: 'Doomed', inviteUserIds: ['uS2', 'uS3'] }, 'small-app'), 500, 'systemError');
      await repair();
      // 3 + 2 = the whole budget of 5: only possible if the failed create's 3 came back.
      await small.create({ userId: 'uS1', confTitle: 'one', inviteUserIds: ['uS2', 'uS3'] }, 'small-app');
      await small.create({ userId: 'uS1', confTitle: 'two', inviteUserIds: ['uS2', 'uS4'], inviteCaller: false }, 'small-app');
    } finally {
      await small.stop();
    }
  });
});
