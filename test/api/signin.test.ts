import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/domain/passwords.js';
import { SignInService } from '../../src/domain/sign-in.js';
import { SqlCredentialRepository } from '../../src/store/user-auth-repo.js';
import { MemoryRateCounter } from '../../src/store/memory-rate-counter.js';
import { directory } from '../support/fixtures.js';
import { admit, linkToken, RoomClient, type Frame } from '../support/room-client.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, memberModels } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORDS: Record<string, string> = { uA1: 'alice-password', uA2: 'bob-password', uA3: 'carol-password', uB1: 'bert-password' };

/** The standard test directory, with web sign-in passwords for a few people. */
function directoryWithPasswords(): unknown {
  const doc = structuredClone(directory) as { orgs: Array<{ users?: Array<{ unionId: string; passwordHash?: string }> }> };
  for (const org of doc.orgs) for (const u of org.users ?? []) if (PASSWORDS[u.unionId]) u.passwordHash = hashPassword(PASSWORDS[u.unionId]!);
  return doc;
}

let server: TestServer;
let acme: string;

beforeAll(async () => {
  server = await startTestServer({ directory: directoryWithPasswords() });
  acme = await appToken(server.endpoint, 'acme-app', 's3cret');
});
afterAll(async () => server.stop());

const client = () => conferenceClient(server.endpoint);

async function signIn(unionId: string, password = PASSWORDS[unionId] ?? '', corpId?: string, device?: string) {
  const res = await fetch(`${server.url}/api/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(device ? { cookie: device } : {}) },
    body: JSON.stringify({ unionId, password, ...(corpId ? { corpId } : {}) }),
  });
  const set = res.headers.get('set-cookie') ?? '';
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    setCookie: set,
    cookie: /vconf_session=[^;]+/.exec(set)?.[0] ?? '',
    device: /vconf_device=[^;]+/.exec(set)?.[0] ?? device ?? '',
  };
}

async function me(cookie: string) {
  const res = await fetch(`${server.url}/api/me`, { headers: { cookie } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function createMeeting(fields: { userId: string; inviteUserIds?: string[]; inviteCaller?: boolean }) {
  const res = await client().createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ confTitle: 'Sign-in test', inviteCaller: false, ...fields }),
    confHeaders(acme),
    runtime(),
  );
  return res.body!;
}

const members = (conferenceId: string) => memberModels(server.endpoint, acme, conferenceId);

/** A browser with a device cookie and, when signed in, a session cookie. */
async function joinAs(externalLinkUrl: string, session: string, name: string) {
  const admitted = await admit(server.url, linkToken(externalLinkUrl), session || undefined);
  const device = admitted.cookie.startsWith('vconf_device') ? admitted.cookie : '';
  const cookie = [device, session].filter(Boolean).join('; ');
  const room = await RoomClient.enter(server.url, { ...admitted, cookie }, { name });
  return { admitted, room };
}

describe('password sign-in', () => {
  it('sets an HttpOnly session cookie that /api/me accepts; wrong and unknown credentials fail alike', async () => {
    const wrong = await signIn('uA2', 'not-the-password');
    expect([wrong.status, wrong.body.code]).toEqual([401, 'badCredentials']);
    expect(wrong.cookie).toBe('');
    const unknown = await signIn('nobody', 'whatever-password');
    expect([unknown.status, unknown.body.code, unknown.body.message]).toEqual([401, 'badCredentials', wrong.body.message]);
    // Dave has no password: password sign-in is off for him.
    expect((await signIn('uA4', 'anything')).status).toBe(401);

    const ok = await signIn('uA2');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ unionId: 'uA2', name: 'Bob', corpId: 'dingacme' });
    expect(ok.setCookie).toMatch(/HttpOnly/i);
    expect(ok.setCookie).toMatch(/Max-Age=43200/);
    const mine = await me(ok.cookie);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ unionId: 'uA2', name: 'Bob', corpId: 'dingacme' });
    expect(Array.isArray(mine.body.meetings.ongoing)).toBe(true);
    expect(Array.isArray(mine.body.meetings.booked)).toBe(true);
  });

  it('answers a unionId with a NUL character as wrong credentials, not a server error', async () => {
    expect((await signIn('uA2\u0000', PASSWORDS.uA2)).status).toBe(401);
    expect((await signIn('\u0000', ' ')).status).toBe(401);
  });

  it('refuses /api/me without a session, with a forged one, and after sign-out', async () => {
    expect((await me('')).body.code).toBe('notSignedIn');
    const ok = await signIn('uA1');
    const [payload, mac] = ok.cookie.slice('vconf_session='.length).split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), unionId: 'uA3' })).toString('base64url');
    expect((await me(`vconf_session=${forgedPayload}.${mac}`)).status).toBe(401);
    const out = await fetch(`${server.url}/api/signout`, { method: 'POST', headers: { cookie: ok.cookie } });
    expect(out.headers.get('set-cookie')).toMatch(/vconf_session=;/);
  });

  it('blocks a browser after 10 wrong passwords for an account, even for the right one, with retryAfterSeconds', async () => {
    let device = '';
    for (let i = 0; i < 10; i++) {
      const r = await signIn('uA3', `wrong-${i}`, undefined, device || undefined);
      expect(r.status).toBe(401);
      device = r.device;
    }
    const blocked = await signIn('uA3', undefined, undefined, device);
    expect([blocked.status, blocked.body.code]).toEqual([429, 'tooManyAttempts']);
    expect(blocked.body.retryAfterSeconds).toBeGreaterThan(3000);
    expect(blocked.cookie).toBe('');
    // Other accounts from the same browser still sign in.
    expect((await signIn('uA2', undefined, undefined, device)).status).toBe(200);
  });
});

describe('one-time sign-in links', () => {
  const ctx = () => server.running.ctx;

  it('signs in once, then the same link is refused', async () => {
    const { token } = await ctx().accounts.signIn.createLink('uA4', 'dingacme');
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const first = await fetch(`${server.url}/signin?token=${token}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/me');
    const cookie = /vconf_session=[^;]+/.exec(first.headers.get('set-cookie') ?? '')?.[0] ?? '';
    expect((await me(cookie)).body).toMatchObject({ unionId: 'uA4', name: 'Dave' });

    const again = await fetch(`${server.url}/signin?token=${token}`, { redirect: 'manual' });
    expect(again.headers.get('location')).toBe('/signin?link=invalid');
    expect(again.headers.get('set-cookie') ?? '').not.toMatch(/vconf_session=/);
  });

  it('refuses a link older than 15 minutes, and needs --corp for a person in two organizations', async () => {
    // The same service over the same database, with a clock 16 minutes in the past.
    const past = new SignInService(new SqlCredentialRepository(server.db), new MemoryRateCounter(), ctx().accounts.sessions, () => Date.now() - 16 * 60_000);
    const { token } = await past.createLink('uA2');
    const res = await fetch(`${server.url}/signin?token=${token}`, { redirect: 'manual' });
    expect(res.headers.get('location')).toBe('/signin?link=invalid');
    await expect(ctx().accounts.signIn.createLink('uShared')).rejects.toThrow(/several organizations/);
    await expect(ctx().accounts.signIn.createLink('nobody')).rejects.toThrow(/no directory user/);
    const shared = await ctx().accounts.signIn.createLink('uShared', 'dingbeta');
    const ok = await fetch(`${server.url}/signin?token=${shared.token}`, { redirect: 'manual' });
    const cookie = /vconf_session=[^;]+/.exec(ok.headers.get('set-cookie') ?? '')?.[0] ?? '';
    expect((await me(cookie)).body.corpId).toBe('dingbeta');
  });
});

describe('signed-in joins', () => {
  it('lists the meeting in /api/me, records the invitee under their unionId and makes the organizer host', async () => {
    const meeting = await createMeeting({ userId: 'uA1', inviteUserIds: ['uA2'] });
    const bob = await signIn('uA2');
    const listed = (await me(bob.cookie)).body.meetings.ongoing as Array<Record<string, unknown>>;
    expect(listed.find((m) => m.conferenceId === meeting.conferenceId)).toMatchObject({ attendStatus: 2, isOrganizer: false, title: 'Sign-in test' });

    const before = await members(meeting.conferenceId!);
    const bobJoin = await joinAs(meeting.externalLinkUrl!, bob.cookie, 'Bob at home');
    expect(bobJoin.admitted.body.role).toBe('participant');
    const alice = await signIn('uA1');
    const aliceJoin = await joinAs(meeting.externalLinkUrl!, alice.cookie, 'Alice');
    expect(aliceJoin.admitted.body.role).toBe('host');

    const after = await members(meeting.conferenceId!);
    // No new records: both took over the ones CreateVideoConference wrote.
    expect(after).toHaveLength(before.length);
    const bobRecord = after.find((m) => m.unionId === 'uA2')!;
    expect(bobRecord).toMatchObject({ attendStatus: 3, outerOrgMember: false, host: false });
    expect(after.find((m) => m.unionId === 'uA1')).toMatchObject({ attendStatus: 3, host: true });
    bobJoin.room.close();
    aliceJoin.room.close();
  });

  it('records a user of another organization as an outside member, and an anonymous guest without unionId', async () => {
    const meeting = await createMeeting({ userId: 'uA1' });
    const bert = await signIn('uB1');
    const bertJoin = await joinAs(meeting.externalLinkUrl!, bert.cookie, 'Bert');
    const guest = await joinAs(meeting.externalLinkUrl!, '', 'Guest');
    const list = await members(meeting.conferenceId!);
    expect(list.find((m) => m.unionId === 'uB1')).toMatchObject({ attendStatus: 3, outerOrgMember: true, host: false });
    const anon = list.filter((m) => !m.unionId && m.attendStatus === 3);
    expect(anon).toHaveLength(1);
    expect(anon[0]!.outerOrgMember).toBe(true);
    bertJoin.room.close();
    guest.room.close();
  });
});

describe('/api/me bookings', () => {
  it('lists bookings the user created or co-hosts, not cancelled ones or other people\'s', async () => {
    const start = Date.now() + 3600_000;
    const book = async (title: string, cohostUnionIds?: string[]) => {
      const res = await client().createScheduleConferenceWithOptions(
        new $conference.CreateScheduleConferenceRequest({
          creatorUnionId: 'uA1',
          title,
          startTime: start,
          endTime: start + 3600_000,
          ...(cohostUnionIds ? { scheduleConfSettingModel: new $conference.CreateScheduleConferenceRequestScheduleConfSettingModel({ cohostUnionIds }) } : {}),
        }),
        confHeaders(acme),
        runtime(),
      );
      return res.body!.scheduleConferenceId!;
    };
    const mine = await book('Booked by Alice');
    const cohosted = await book('Bob co-hosts', ['uA2']);
    const cancelled = await book('Cancelled');
    await client().cancelScheduleConferenceWithOptions(
      new $conference.CancelScheduleConferenceRequest({ scheduleConferenceId: cancelled, creatorUnionId: 'uA1' }),
      confHeaders(acme),
      runtime(),
    );
    const ids = async (unionId: string) => ((await me((await signIn(unionId)).cookie)).body.meetings.booked as Array<{ scheduleConferenceId: string }>).map((b) => b.scheduleConferenceId);
    const alice = await ids('uA1');
    expect(alice).toEqual(expect.arrayContaining([mine, cohosted]));
    expect(alice).not.toContain(cancelled);
    const bob = await ids('uA2');
    expect(bob).toContain(cohosted);
    expect(bob).not.toContain(mine);
  });
});

describe('signed-in joins under the meeting settings', () => {
  it('"internal only" admits signed-in colleagues and turns away other organizations and guests', async () => {
    const meeting = await createMeeting({ userId: 'uA1' });
    await client().updateVideoConferenceSettingWithOptions(
      meeting.conferenceId!,
      new $conference.UpdateVideoConferenceSettingRequest({ onlyInternalEmployeesJoin: true }),
      new $conference.UpdateVideoConferenceSettingHeaders({ xAcsDingtalkAccessToken: acme }),
      runtime(),
    );
    const bob = await signIn('uA2');
    const inside = await joinAs(meeting.externalLinkUrl!, bob.cookie, 'Bob');
    expect(inside.room.participantId).not.toBe('');
    const bert = await signIn('uB1');
    expect((await admit(server.url, linkToken(meeting.externalLinkUrl!), bert.cookie)).body.code).toBe('internalOnly');
    expect((await admit(server.url, linkToken(meeting.externalLinkUrl!))).body.code).toBe('internalOnly');
    const list = await members(meeting.conferenceId!);
    expect(list.find((m) => m.unionId === 'uA2')).toMatchObject({ attendStatus: 3, outerOrgMember: false });
    inside.room.close();
  });

  it('a signed-in organizer with the participant passcode still becomes host', async () => {
    const meeting = await createMeeting({ userId: 'uA1' });
    const alice = await signIn('uA1');
    const admitted = await admit(server.url, { roomCode: meeting.roomCode!, passcode: meeting.conferencePassword! }, alice.cookie);
    expect(admitted.body.role).toBe('host');
    const anonymous = await admit(server.url, { roomCode: meeting.roomCode!, passcode: meeting.conferencePassword! });
    expect(anonymous.body.role).toBe('participant');
  });
});

describe('ringing and declining', () => {
  function userSocket(cookie: string): Promise<{ frames: Frame[]; next: (type: string) => Promise<Frame>; close: () => void }> {
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/rtc/user-ws`, { headers: { cookie } });
    const frames: Frame[] = [];
    socket.on('message', (d) => frames.push(JSON.parse(String(d)) as Frame));
    const next = async (type: string) => {
      for (let i = 0; i < 100; i++) {
        const f = frames.find((x) => x.type === type);
        if (f) return f;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${type} frame; got ${JSON.stringify(frames)}`);
    };
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve({ frames, next, close: () => socket.close() }));
      socket.once('error', reject);
    });
  }

  it('rings the open page on CreateVideoConference and InviteUsers; decline shows attendStatus 4', async () => {
    const bob = await signIn('uA2');
    const page = await userSocket(bob.cookie);
    const otherPage = await userSocket(bob.cookie);
    await page.next('hello');
    await otherPage.next('hello');
    const meeting = await createMeeting({ userId: 'uA1', inviteUserIds: ['uA2'] });
    const ring = await page.next('ring');
    expect(ring).toMatchObject({ type: 'ring', conferenceId: meeting.conferenceId, title: 'Sign-in test', inviter: 'Alice' });

    const decline = await fetch(`${server.url}/api/calls/decline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: bob.cookie },
      body: JSON.stringify({ conferenceId: meeting.conferenceId }),
    });
    expect(decline.status).toBe(200);
    // Bob's other open page stops ringing.
    expect(await otherPage.next('ringEnd')).toEqual({ type: 'ringEnd', conferenceId: meeting.conferenceId });
    otherPage.close();
    expect((await members(meeting.conferenceId!)).find((m) => m.unionId === 'uA2')!.attendStatus).toBe(4);
    // Declining twice: no longer being called.
    const twice = await fetch(`${server.url}/api/calls/decline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: bob.cookie },
      body: JSON.stringify({ conferenceId: meeting.conferenceId }),
    });
    expect(twice.status).toBe(409);

    // InviteUsers calls them again, and the page rings again.
    page.frames.length = 0;
    await client().inviteUsersWithOptions(
      meeting.conferenceId!,
      new $conference.InviteUsersRequest({ unionId: 'uA1', inviteeList: [new $conference.InviteUsersRequestInviteeList({ unionId: 'uA2', nick: 'Bob' })] }),
      new $conference.InviteUsersHeaders({ xAcsDingtalkAccessToken: acme }),
      runtime(),
    );
    expect(await page.next('ring')).toMatchObject({ conferenceId: meeting.conferenceId, inviter: 'Alice' });
    page.close();
  });

  it('ends the sessions of someone no longer in the directory', async () => {
    const dave = await server.running.ctx.accounts.signIn.createLink('uA4', 'dingacme');
    const res = await fetch(`${server.url}/signin?token=${dave.token}`, { redirect: 'manual' });
    const cookie = /vconf_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
    expect((await me(cookie)).status).toBe(200);
    // Imports never delete, so an operator removes a person in the database.
    await server.db.deleteFrom('users').where('union_id', '=', 'uA4').execute();
    expect((await me(cookie)).status).toBe(401);
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/rtc/user-ws`, { headers: { cookie } });
    expect(await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)))).toBe(4401);
  });

  it('closes a user socket without a session', async () => {
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/rtc/user-ws`);
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    expect(code).toBe(4401);
  });
});
