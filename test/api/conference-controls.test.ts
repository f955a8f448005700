/**
 * Issue 4 §2: the in-meeting controls through the official SDK — every documented answer, and the
 * live effect on the people in the room (signaling participants without media here; real Chromium
 * pages in test/e2e/controls.test.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AttendStatus, MeetingStatus } from '../../src/domain/meeting.js';
import { SqlMeetingSettingsRepository } from '../../src/store/meeting-settings-repo.js';
import { $conference, conferenceClient, confHeaders, runtime, sdkError, fixtureTokens } from '../support/sdk.js';
import { admit, linkToken, RoomClient, type Admitted } from '../support/room-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
let betaToken: string;
let readOnlyToken: string;
const clients: RoomClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  [token, betaToken, readOnlyToken] = await fixtureTokens(server.endpoint);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => server?.stop());

type Created = { conferenceId: string; roomCode: string; externalLinkUrl: string; hostPassword: string; conferencePassword: string };
type Ref = { unionId?: string; participantId?: string };

const sdk = () => conferenceClient(server.endpoint);
const headers = (t: string) => confHeaders(t);

/** The control operations as an SDK user calls them; `t` is the token (default: Acme's app). */
const api = {
  close: (id: string, unionId: string | undefined, t = token) =>
    sdk().closeVideoConferenceWithOptions(id, new $conference.CloseVideoConferenceRequest(unionId === undefined ? {} : { unionId }), headers(t), runtime()),
  kick: (id: string, userList: Ref[], forbiddenRejoin?: boolean, t = token) =>
    sdk().kickMembersWithOptions(
      id,
      new $conference.KickMembersRequest({ userList: userList.map((u) => new $conference.KickMembersRequestUserList(u)), forbiddenRejoin }),
      headers(t),
      runtime(),
    ),
  mute: (id: string, action: string, userList: Ref[], t = token) =>
    sdk().muteMembersWithOptions(
      id,
      new $conference.MuteMembersRequest({ action, userList: userList.map((u) => new $conference.MuteMembersRequestUserList(u)) }),
      headers(t),
      runtime(),
    ),
  muteAll: (id: string, action: string, forceMute?: boolean, t = token) =>
    sdk().muteAllWithOptions(id, new $conference.MuteAllRequest({ action, forceMute }), headers(t), runtime()),
  lock: (id: string, action: string | undefined, t = token) =>
    sdk().lockConferenceWithOptions(id, new $conference.LockConferenceRequest(action === undefined ? {} : { action }), headers(t), runtime()),
  cohosts: (id: string, action: string, unionIds: string[], t = token) =>
    sdk().cohostsWithOptions(
      id,
      new $conference.CohostsRequest({ action, userList: unionIds.map((unionId) => new $conference.CohostsRequestUserList({ unionId })) }),
      headers(t),
      runtime(),
    ),
  focus: (id: string, action: string, unionId?: string, t = token) =>
    sdk().focusWithOptions(id, new $conference.FocusRequest({ action, unionId }), headers(t), runtime()),
  settings: (id: string, body: Record<string, boolean>, t = token) =>
    sdk().updateVideoConferenceSettingWithOptions(id, new $conference.UpdateVideoConferenceSettingRequest(body), headers(t), runtime()),
};

async function createMeeting(inviteUserIds = ['uA2']): Promise<Created> {
  const res = await sdk().createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Controls', inviteUserIds }),
    headers(token),
    runtime(),
  );
  return res.body as Created;
}

/** A browser admitted by the meeting's link (or, as host, by the host passcode). */
async function admitted(m: Created, as: 'link' | 'host' = 'link', cookie?: string): Promise<Admitted> {
  const a = await admit(server.url, as === 'link' ? linkToken(m.externalLinkUrl) : { roomCode: m.roomCode, passcode: m.hostPassword }, cookie);
  expect(a.status).toBe(200);
  return a;
}

async function enter(m: Created, name: string, as: 'link' | 'host' = 'link', mic = true): Promise<RoomClient> {
  const c = await RoomClient.enter(server.url, await admitted(m, as), { name, mic });
  clients.push(c);
  expect(c.participantId).not.toBe('');
  return c;
}

async function records(id: string) {
  return server.running.ctx.meetings.find('dingacme', id);
}

async function ended(): Promise<Created> {
  const m = await createMeeting();
  await api.close(m.conferenceId, 'uA1');
  return m;
}

/** The answer every control gives for a meeting of another organization, an unknown id and an ended meeting. */
async function expectCommonErrors(call: (id: string, t: string) => Promise<unknown>, endedCode = 'resourceClose', foreignCode = 'orgAccessForbidden') {
  const m = await createMeeting();
  const foreign = await sdkError(call(m.conferenceId, betaToken));
  expect([foreign.statusCode, foreign.code]).toEqual([400, foreignCode]);
  const unknown = await sdkError(call('0123456789abcdef01234567', token));
  expect([unknown.statusCode, unknown.code]).toEqual([400, 'paramsError']);
  expect(unknown.message).toContain('error:conference 0123456789abcdef01234567 does not exist');
  const closed = await sdkError(call((await ended()).conferenceId, token));
  expect([closed.statusCode, closed.code]).toEqual([400, endedCode]);
  const scope = await sdkError(call(m.conferenceId, readOnlyToken));
  expect([scope.statusCode, scope.code]).toEqual([403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied']);
}

describe('CloseVideoConference', () => {
  it('lets the organizer end the meeting: the documented body, every page told at once, the records closed', async () => {
    const m = await createMeeting();
    const [a, b] = [await enter(m, 'Ann'), await enter(m, 'Ben', 'host')];
    const res = await api.close(m.conferenceId, 'uA1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ code: 200, cause: 'sucess' }));
    for (const c of [a, b]) {
      await c.next((f) => f.type === 'ended', 1000);
      expect(await c.closed).toBe(4002);
    }
    const { meeting, members } = await records(m.conferenceId);
    expect(meeting.status).toBe(MeetingStatus.ended);
    expect(members.filter((x) => x.joinTime !== null).every((x) => x.attendStatus === AttendStatus.left)).toBe(true);
    expect((await admit(server.url, linkToken(m.externalLinkUrl))).status).toBe(410);

    const again = await sdkError(api.close(m.conferenceId, 'uA1'));
    expect([again.statusCode, again.code, again.data.message]).toEqual([400, 'resourceClose', 'The meeting has ended']);
  });

  it('refuses anyone but a host, unknown users, a missing unionId, unknown meetings and other organizations', async () => {
    const m = await createMeeting();
    // uA2 is an invited member and even a co-host; uA3 is a colleague who is not in the meeting.
    await api.cohosts(m.conferenceId, 'add', ['uA2']);
    for (const unionId of ['uA2', 'uA3']) {
      const e = await sdkError(api.close(m.conferenceId, unionId));
      expect([e.statusCode, e.code]).toEqual([404, 'permissionError']);
      expect(e.data.message).toBe('permissionError:only a host may close the meeting');
    }
    const unknown = await sdkError(api.close(m.conferenceId, 'nobody-here'));
    expect([unknown.statusCode, unknown.code, unknown.data.message]).toEqual([400, 'unknownUserError', 'unknownUserError']);
    const missing = await sdkError(api.close(m.conferenceId, undefined));
    expect([missing.statusCode, missing.code]).toEqual([400, 'paramsError']);
    expect(missing.data.message).toBe('error:unionId is required');
    const blank = await sdkError(api.close(m.conferenceId, ' '));
    expect(blank.code).toBe('paramsError');
    await expectCommonErrors((id, t) => api.close(id, 'uA1', t));
    expect((await records(m.conferenceId)).meeting.status).not.toBe(MeetingStatus.ended);
  });
});

describe('KickMembers', () => {
  it('with forbiddenRejoin: the page is told it cannot come back, and its browser is refused', async () => {
    const m = await createMeeting();
    const host = await enter(m, 'Host', 'host');
    const browser = await admitted(m);
    const guest = await RoomClient.enter(server.url, browser, { name: 'Gus' });
    clients.push(guest);
    const left = host.nextOf('participant-left');
    await api.kick(m.conferenceId, [{ participantId: guest.participantId }], true);
    expect(await guest.next((f) => f.type === 'removed', 1000)).toEqual({ type: 'removed', rejoin: false });
    expect(await guest.closed).toBe(4001);
    expect((await left).participantId).toBe(guest.participantId);
    const member = (await records(m.conferenceId)).members.find((x) => x.memberId === guest.participantId)!;
    expect([member.attendStatus, member.banned]).toEqual([AttendStatus.kicked, true]);
    const back = await admit(server.url, linkToken(m.externalLinkUrl), browser.cookie);
    expect([back.status, back.body.code]).toEqual([403, 'removed']);
  });

  it('without forbiddenRejoin: the page leaves, and the same browser comes back as the same participant', async () => {
    const m = await createMeeting();
    const a = await admitted(m);
    const guest = await RoomClient.enter(server.url, a, { name: 'Gia' });
    clients.push(guest);
    await api.kick(m.conferenceId, [{ unionId: guest.participantId, participantId: guest.participantId }], false);
    expect(await guest.next((f) => f.type === 'removed', 1000)).toEqual({ type: 'removed', rejoin: true });
    expect(await guest.closed).toBe(4005);
    expect((await records(m.conferenceId)).members.find((x) => x.memberId === guest.participantId)!.attendStatus).toBe(AttendStatus.kicked);
    const again = await RoomClient.enter(server.url, await admitted(m, 'link', a.cookie), { name: 'Gia', participantId: guest.participantId });
    clients.push(again);
    expect(again.participantId).toBe(guest.participantId);
    expect((await records(m.conferenceId)).members.find((x) => x.memberId === guest.participantId)!.attendStatus).toBe(AttendStatus.active);
  });

  it('kicks every record of a unionId; refuses unknown members and bad lists without kicking anyone', async () => {
    const m = await createMeeting(['uA2', 'uA3']);
    const guest = await enter(m, 'Gil');
    await api.kick(m.conferenceId, [{ unionId: 'uA2' }]);
    expect((await records(m.conferenceId)).members.find((x) => x.unionId === 'uA2')!.banned).toBe(false);

    const cases: Array<[Ref[], string]> = [
      [[{ participantId: guest.participantId }, { unionId: 'uA4' }], 'unknownUserError'], // uA4 is a colleague, not a member
      [[{ participantId: 'ffffffffffffffff' }], 'unknownUserError'],
      [[{ unionId: 'uA3', participantId: guest.participantId }], 'unknownUserError'],
      [[{ unionId: 'uA2', participantId: (await records(m.conferenceId)).members.find((x) => x.unionId === 'uA3')!.memberId }], 'unknownUserError'],
      [[], 'paramsError'],
      [[{}], 'paramsError'],
    ];
    for (const [list, code] of cases) {
      const e = await sdkError(api.kick(m.conferenceId, list, true));
      expect([e.statusCode, e.code], JSON.stringify(list)).toEqual([400, code]);
    }
    // Nobody was kicked by the refused calls.
    expect(guest.frames.some((f) => f.type === 'removed')).toBe(false);
    expect((await records(m.conferenceId)).members.find((x) => x.memberId === guest.participantId)!.attendStatus).toBe(AttendStatus.active);
    await expectCommonErrors((id, t) => api.kick(id, [{ unionId: 'uA2' }], false, t));
  });
});

describe('MuteMembers', () => {
  it('mutes one participant at once on every page; un_mute asks them to speak again', async () => {
    const m = await createMeeting();
    const [ann, ben] = [await enter(m, 'Ann'), await enter(m, 'Ben')];
    const seen = ben.nextOf('participant-updated', (f) => (f.participant as { participantId: string }).participantId === ann.participantId);
    await api.mute(m.conferenceId, 'mute', [{ participantId: ann.participantId }]);
    expect(await ann.next((f) => f.type === 'muted', 1000)).toMatchObject({ reason: 'host' });
    expect(((await seen).participant as { mic: boolean }).mic).toBe(false);
    // Not forced: the participant may unmute again.
    const back = ben.nextOf('participant-updated', (f) => (f.participant as { mic: boolean }).mic);
    ann.send({ type: 'media', mic: true, camera: false, screen: false });
    await back;

    const asked = ann.nextOf('unmute-request');
    await api.mute(m.conferenceId, 'un_mute', [{ unionId: ann.participantId }]);
    await asked;
  });

  it('takes exactly one known member and the actions mute / un_mute', async () => {
    const m = await createMeeting();
    const ann = await enter(m, 'Ann');
    const cases: Array<[string, Ref[], string]> = [
      ['silence', [{ participantId: ann.participantId }], 'paramsError'],
      ['mute', [], 'paramsError'],
      ['mute', [{ participantId: ann.participantId }, { unionId: 'uA2' }], 'paramsError'],
      ['mute', [{ unionId: 'uA3' }], 'unknownUserError'],
      ['un_mute', [{ participantId: '0000000000000000' }], 'unknownUserError'],
    ];
    for (const [action, list, code] of cases) {
      const e = await sdkError(api.mute(m.conferenceId, action, list));
      expect([e.statusCode, e.code], `${action} ${JSON.stringify(list)}`).toEqual([400, code]);
    }
    expect(ann.frames.some((f) => f.type === 'muted')).toBe(false);
    await expectCommonErrors((id, t) => api.mute(id, 'mute', [{ unionId: 'uA2' }], t));
  });
});

describe('MuteAll', () => {
  it('with forceMute: participants are muted and cannot unmute; hosts are not; un_mute of one or all lifts it', async () => {
    const m = await createMeeting();
    const [host, ann, ben] = [await enter(m, 'Host', 'host'), await enter(m, 'Ann'), await enter(m, 'Ben')];
    const annMuted = ann.nextOf('muted');
    const annRules = ann.nextOf('settings');
    await api.muteAll(m.conferenceId, 'mute', true);
    expect(await annMuted).toMatchObject({ reason: 'muteAll' });
    expect(await annRules).toMatchObject({ muteAll: true, allowUnmuteSelf: false, canUnmute: false });
    await ben.next((f) => f.type === 'muted', 1000);
    expect(host.frames.some((f) => f.type === 'muted')).toBe(false);
    expect(host.last('settings')).toMatchObject({ muteAll: true, canUnmute: true });

    // The server ignores a forced participant's unmute: it stays muted for everyone.
    const refused = ann.nextOf('muted');
    const annSeen = host.nextOf('participant-updated', (f) => (f.participant as { participantId: string }).participantId === ann.participantId);
    ann.send({ type: 'media', mic: true, camera: false, screen: false });
    expect(await refused).toMatchObject({ reason: 'forced' });
    expect(((await annSeen).participant as { mic: boolean }).mic).toBe(false);

    // Someone entering now enters muted.
    const late = await enter(m, 'Late');
    expect(late.frames.find((f) => f.type === 'welcome')!.you).toMatchObject({ mic: false });
    expect(late.last('muted')).toMatchObject({ reason: 'muteAll' });

    // MuteMembers un_mute lets Ann (only Ann) speak.
    const annAllowed = ann.nextOf('settings');
    await api.mute(m.conferenceId, 'un_mute', [{ participantId: ann.participantId }]);
    expect(await annAllowed).toMatchObject({ canUnmute: true });
    const annTalks = host.nextOf('participant-updated', (f) => (f.participant as { mic: boolean; participantId: string }).participantId === ann.participantId && (f.participant as { mic: boolean }).mic);
    ann.send({ type: 'media', mic: true, camera: false, screen: false });
    await annTalks;
    const benRefused = ben.nextOf('muted');
    ben.send({ type: 'media', mic: true, camera: false, screen: false });
    expect(await benRefused).toMatchObject({ reason: 'forced' });

    // MuteAll un_mute lifts it for everyone; nobody's microphone is opened for them.
    const benRules = ben.nextOf('settings');
    await api.muteAll(m.conferenceId, 'un_mute');
    expect(await benRules).toMatchObject({ muteAll: false, allowUnmuteSelf: true, canUnmute: true });
    const benTalks = host.nextOf('participant-updated', (f) => (f.participant as { participantId: string }).participantId === ben.participantId && (f.participant as { mic: boolean }).mic);
    ben.send({ type: 'media', mic: true, camera: false, screen: false });
    await benTalks;
  });

  it('without forceMute members may unmute themselves; bad actions and the common errors', async () => {
    const m = await createMeeting();
    const [host, ann] = [await enter(m, 'Host', 'host'), await enter(m, 'Ann')];
    await api.muteAll(m.conferenceId, 'mute');
    await ann.next((f) => f.type === 'muted', 1000);
    expect(ann.last('settings')).toMatchObject({ muteAll: true, canUnmute: true });
    const talks = host.nextOf('participant-updated', (f) => (f.participant as { mic: boolean }).mic);
    ann.send({ type: 'media', mic: true, camera: false, screen: false });
    await talks;
    const bad = await sdkError(api.muteAll(m.conferenceId, 'mute_all'));
    expect([bad.statusCode, bad.code, bad.data.message]).toEqual([400, 'paramsError', 'error:action must be mute or un_mute']);
    await expectCommonErrors((id, t) => api.muteAll(id, 'mute', false, t));
  });
});

describe('LockConference', () => {
  it('refuses newcomers with a clear message while people inside stay and may come back', async () => {
    const m = await createMeeting();
    const first = await admitted(m);
    const ann = await RoomClient.enter(server.url, first, { name: 'Ann' });
    clients.push(ann);
    // Admitted before the lock but not yet inside: a newcomer all the same.
    const waiting = await admitted(m);
    const rules = ann.nextOf('settings');
    expect((await api.lock(m.conferenceId, 'lock')).body).toEqual(expect.objectContaining({ success: true }));
    expect(await rules).toMatchObject({ locked: true });

    const refused = await admit(server.url, linkToken(m.externalLinkUrl));
    expect([refused.status, refused.body.code, refused.body.message]).toEqual([
      423,
      'meetingLocked',
      'This meeting is locked: nobody new can join. Ask the host to unlock it.',
    ]);
    const late = await RoomClient.enter(server.url, waiting, { name: 'Late' });
    clients.push(late);
    expect(late.frames[0]).toMatchObject({ type: 'error', code: 'meetingLocked' });
    expect(await late.closed).toBe(4003);

    // Ann reloads: the same browser is admitted again and resumes the same participant.
    ann.close();
    expect((await admit(server.url, linkToken(m.externalLinkUrl), first.cookie)).status).toBe(200);
    const back = await RoomClient.enter(server.url, first, { name: 'Ann', participantId: ann.participantId });
    clients.push(back);
    expect(back.participantId).toBe(ann.participantId);
    // The host passcode still opens the door, so someone can always run the meeting.
    expect((await admit(server.url, { roomCode: m.roomCode, passcode: m.hostPassword })).status).toBe(200);
    expect((await admit(server.url, { roomCode: m.roomCode, passcode: m.conferencePassword })).status).toBe(423);

    await api.lock(m.conferenceId, 'unlock');
    expect((await admit(server.url, linkToken(m.externalLinkUrl))).status).toBe(200);
  });

  it('stays locked across a restart', async () => {
    const m = await createMeeting();
    await api.lock(m.conferenceId, 'lock');
    await server.restart();
    expect((await admit(server.url, linkToken(m.externalLinkUrl))).status).toBe(423);
    await api.lock(m.conferenceId, 'unlock');
    expect((await admit(server.url, linkToken(m.externalLinkUrl))).status).toBe(200);
  });

  it('answers with its own documented codes', async () => {
    const m = await createMeeting();
    const bad = await sdkError(api.lock(m.conferenceId, 'bolt'));
    expect([bad.statusCode, bad.code, bad.data.message]).toEqual([400, 'commandError', 'commandError']);
    const missing = await sdkError(api.lock(m.conferenceId, undefined));
    expect([missing.statusCode, missing.code]).toEqual([400, 'paramsError']);
    await expectCommonErrors((id, t) => api.lock(id, 'lock', t), 'confClosed', 'noPermission');
    expect((await admit(server.url, linkToken(m.externalLinkUrl))).status).toBe(200);
  });
});

describe('Cohosts', () => {
  it('gives members the co-host role on record and in the room, where they get host controls', async () => {
    const m = await createMeeting();
    const [ann, ben] = [await enter(m, 'Ann'), await enter(m, 'Ben')];
    // A participant may not mute anyone.
    ann.send({ type: 'mute', participantId: ben.participantId });
    await ann.next((f) => f.type === 'error' && f.code === 'notHost', 1000);

    const promoted = ann.nextOf('participant-updated', (f) => (f.participant as { participantId: string }).participantId === ann.participantId);
    await api.cohosts(m.conferenceId, 'add', ['uA2', ann.participantId]);
    expect(((await promoted).participant as { role: string }).role).toBe('cohost');
    const { members } = await records(m.conferenceId);
    expect(members.filter((x) => x.coHost).map((x) => x.unionId ?? x.memberId).sort()).toEqual([ann.participantId, 'uA2'].sort());

    const muted = ben.nextOf('muted');
    ann.send({ type: 'mute', participantId: ben.participantId });
    expect(await muted).toMatchObject({ reason: 'host', by: ann.participantId });
    // Co-hosts cannot end the meeting.
    ann.send({ type: 'end' });
    await ann.next((f) => f.type === 'error' && f.code === 'notHost' && String(f.message).includes('Only the host'), 1000);

    const demoted = ben.nextOf('participant-updated', (f) => (f.participant as { role: string }).role === 'participant');
    await api.cohosts(m.conferenceId, 'remove', [ann.participantId]);
    expect(((await demoted).participant as { participantId: string }).participantId).toBe(ann.participantId);
  });

  it('refuses bad actions, unknown members and empty lists', async () => {
    const m = await createMeeting();
    const cases: Array<[string, string[], string]> = [
      ['promote', ['uA2'], 'paramsError'],
      ['add', [], 'paramsError'],
      ['add', ['uA3'], 'unknownUserError'],
      ['add', ['uA2', 'nobody'], 'unknownUserError'],
    ];
    for (const [action, list, code] of cases) {
      const e = await sdkError(api.cohosts(m.conferenceId, action, list));
      expect([e.statusCode, e.code], `${action} ${list.join()}`).toEqual([400, code]);
    }
    expect((await records(m.conferenceId)).members.some((x) => x.coHost)).toBe(false);
    await expectCommonErrors((id, t) => api.cohosts(id, 'add', ['uA2'], t));
  });
});

describe('Focus', () => {
  it('spotlights one participant on every page, including later joiners, until un_focus', async () => {
    const m = await createMeeting();
    const [ann, ben] = [await enter(m, 'Ann'), await enter(m, 'Ben')];
    const annSees = ann.nextOf('focus');
    const benSees = ben.nextOf('focus');
    await api.focus(m.conferenceId, 'focus', ben.participantId);
    expect((await annSees).participantId).toBe(ben.participantId);
    expect((await benSees).participantId).toBe(ben.participantId);
    const late = await enter(m, 'Late');
    expect(late.last('focus')).toMatchObject({ participantId: ben.participantId });
    const cleared = ann.nextOf('focus');
    await api.focus(m.conferenceId, 'un_focus');
    expect((await cleared).participantId).toBeNull();
  });

  it('needs a known member to focus on, and focus / un_focus', async () => {
    const m = await createMeeting();
    await api.focus(m.conferenceId, 'focus', 'uA2'); // a member who is not in the room: nobody to show yet
    const cases: Array<[string, string | undefined, string]> = [
      ['spotlight', 'uA2', 'paramsError'],
      ['focus', undefined, 'paramsError'],
      ['focus', 'uA3', 'unknownUserError'],
    ];
    for (const [action, unionId, code] of cases) {
      const e = await sdkError(api.focus(m.conferenceId, action, unionId));
      expect([e.statusCode, e.code], `${action} ${unionId}`).toEqual([400, code]);
    }
    await expectCommonErrors((id, t) => api.focus(id, 'un_focus', undefined, t));
  });
});

describe('UpdateVideoConferenceSetting', () => {
  it('changes the given settings at once in the room, answers {case, code} as strings, and keeps them', async () => {
    const m = await createMeeting();
    const [host, ann] = [await enter(m, 'Host', 'host'), await enter(m, 'Ann')];
    const rules = ann.nextOf('settings');
    const res = await api.settings(m.conferenceId, { lockConference: true, forbiddenShareScreen: true, allowUnmuteSelf: false });
    expect(res.body).toEqual(expect.objectContaining({ case: 'success', code: '200' }));
    expect(await rules).toMatchObject({ locked: true, forbiddenShareScreen: true, allowUnmuteSelf: false, muteAll: false, canShare: false, canUnmute: false });
    expect(host.last('settings')).toMatchObject({ canShare: true, canUnmute: true });
    expect((await admit(server.url, linkToken(m.externalLinkUrl))).status).toBe(423);

    // A participant's screen is not shown while sharing is banned.
    const annState = host.nextOf('participant-updated', (f) => (f.participant as { participantId: string }).participantId === ann.participantId);
    ann.send({ type: 'media', mic: false, camera: false, screen: true });
    expect(((await annState).participant as { screen: boolean }).screen).toBe(false);

    // An empty body changes nothing.
    await api.settings(m.conferenceId, {});
    expect(await new SqlMeetingSettingsRepository(server.db).get(m.conferenceId)).toMatchObject({ locked: true, forbiddenShareScreen: true });

    const muted = ann.nextOf('muted');
    await api.settings(m.conferenceId, { muteAll: true, lockConference: false });
    expect(await muted).toMatchObject({ reason: 'muteAll' });
    expect((await admit(server.url, linkToken(m.externalLinkUrl))).status).toBe(200);
  });

  it('onlyInternalEmployeesJoin turns away anonymous newcomers', async () => {
    const m = await createMeeting();
    await api.settings(m.conferenceId, { onlyInternalEmployeesJoin: true });
    const refused = await admit(server.url, linkToken(m.externalLinkUrl));
    expect([refused.status, refused.body.code]).toEqual([403, 'internalOnly']);
    await api.settings(m.conferenceId, { onlyInternalEmployeesJoin: false });
    expect((await admit(server.url, linkToken(m.externalLinkUrl))).status).toBe(200);
  });

  it('autoTransferHost hands the host role to someone inside when the last host leaves', async () => {
    const m = await createMeeting();
    const [host, ann] = [await enter(m, 'Host', 'host'), await enter(m, 'Ann')];
    await api.settings(m.conferenceId, { autoTransferHost: true });
    const promoted = ann.nextOf('participant-updated', (f) => (f.participant as { participantId: string }).participantId === ann.participantId);
    host.send({ type: 'leave' });
    expect(((await promoted).participant as { role: string }).role).toBe('host');
    expect((await records(m.conferenceId)).members.find((x) => x.memberId === ann.participantId)!.host).toBe(true);
    // The new host's controls work.
    const ended = ann.nextOf('ended');
    ann.send({ type: 'end' });
    await ended;
  });

  it('refuses non-boolean values and the common errors', async () => {
    const m = await createMeeting();
    const res = await fetch(`${server.url}/v1.0/conference/videoConferences/${m.conferenceId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token },
      body: JSON.stringify({ lockConference: 'yes' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('paramsError');
    await expectCommonErrors((id, t) => api.settings(id, { lockConference: true }, t));
  });
});
