/**
 * Issue 4 §3: booked meetings through the official SDK — every operation, the errors of the
 * spec's tables, organization isolation, and the meeting instance a join link starts
 * (POST /api/admit and a signaling participant, no browser).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MeetingStatus } from '../../src/domain/meeting.js';
import { $conference, conferenceClient, confHeaders, runtime, sdkError, fixtureTokens } from '../support/sdk.js';
import { admit, linkToken, RoomClient } from '../support/room-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
let betaToken: string;
let readOnlyToken: string;
const clients: RoomClient[] = [];
const PHONES = ['+86 10 1234 5678'];

beforeAll(async () => {
  server = await startTestServer({ config: { phoneNumbers: PHONES } });
  [token, betaToken, readOnlyToken] = await fixtureTokens(server.endpoint);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => server?.stop());

const MIN = 60_000;
const sdk = () => conferenceClient(server.endpoint);
const headers = (t: string) => confHeaders(t);
type Booked = { scheduleConferenceId: string; roomCode: string; url: string; phones: string[]; requestId: string };
type Settings = Record<string, unknown>;

const api = {
  create: (body: { creatorUnionId?: string; title?: string; startTime?: number; endTime?: number; settings?: Settings }, t = token) =>
    sdk().createScheduleConferenceWithOptions(
      new $conference.CreateScheduleConferenceRequest({
        creatorUnionId: body.creatorUnionId,
        title: body.title,
        startTime: body.startTime,
        endTime: body.endTime,
        ...(body.settings ? { scheduleConfSettingModel: new $conference.CreateScheduleConferenceRequestScheduleConfSettingModel(body.settings) } : {}),
      }),
      headers(t),
      runtime(),
    ),
  update: (body: { scheduleConferenceId: string; creatorUnionId: string; title: string; startTime: number; endTime: number }, t = token) =>
    sdk().updateScheduleConferenceWithOptions(new $conference.UpdateScheduleConferenceRequest(body), headers(t), runtime()),
  cancel: (scheduleConferenceId: string, creatorUnionId: string, t = token) =>
    sdk().cancelScheduleConferenceWithOptions(new $conference.CancelScheduleConferenceRequest({ scheduleConferenceId, creatorUnionId }), headers(t), runtime()),
  query: (id: string, requestUnionId: string | undefined, t = token) =>
    sdk().queryScheduleConferenceWithOptions(id, new $conference.QueryScheduleConferenceRequest(requestUnionId === undefined ? {} : { requestUnionId }), headers(t), runtime()),
  info: (id: string, page: { maxResults?: number; nextToken?: string } = {}, t = token) =>
    sdk().queryScheduleConferenceInfoWithOptions(id, new $conference.QueryScheduleConferenceInfoRequest(page), headers(t), runtime()),
  settings: (id: string | undefined, t = token) =>
    sdk().queryScheduleConfSettingsWithOptions(
      new $conference.QueryScheduleConfSettingsRequest(id === undefined ? {} : { scheduleConferenceId: id }),
      headers(t),
      runtime(),
    ),
  setSettings: (id: string, creatorUnionId: string | undefined, settings: Settings, t = token) =>
    sdk().updateScheduleConfSettingsWithOptions(
      new $conference.UpdateScheduleConfSettingsRequest({
        scheduleConferenceId: id,
        ...(creatorUnionId === undefined ? {} : { creatorUnionId }),
        scheduleConfSettingModel: new $conference.UpdateScheduleConfSettingsRequestScheduleConfSettingModel(settings),
      }),
      headers(t),
      runtime(),
    ),
};

/** A booking of Alice's in Acme; by default open now (started a minute ago, for an hour). */
async function book(opts: { start?: number; end?: number; settings?: Settings; title?: string } = {}): Promise<Booked> {
  const start = opts.start ?? Date.now() - MIN;
  const res = await api.create({ creatorUnionId: 'uA1', title: opts.title ?? 'Weekly sync', startTime: start, endTime: opts.end ?? start + 60 * MIN, settings: opts.settings });
  expect(res.statusCode).toBe(200);
  return res.body as Booked;
}

async function code(call: Promise<unknown>): Promise<[number, string]> {
  const e = await sdkError(call);
  return [e.statusCode, e.code];
}

describe('CreateScheduleConference', () => {
  it('answers a room code, a join link, the dial-in numbers and ids at once', async () => {
    const b = await book();
    expect(b.scheduleConferenceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(b.roomCode).toMatch(/^\d{11}$/);
    expect(b.url).toBe(`${server.url}/app?roomCode=${b.roomCode}&token=${linkToken(b.url).token}`);
    expect(b.phones).toEqual(PHONES);
    expect(b.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect((await book()).roomCode).not.toBe(b.roomCode);
  });

  it('keeps 50 characters of a long title and refuses one over 256', async () => {
    const long = 'x'.repeat(80);
    const b = await book({ title: long });
    expect((await api.query(b.scheduleConferenceId, 'uA1')).body!.title).toBe('x'.repeat(50));
    const start = Date.now();
    expect(await code(api.create({ creatorUnionId: 'uA1', title: 'y'.repeat(257), startTime: start, endTime: start + MIN }))).toEqual([400, 'paramsError']);
  });

  it('refuses missing fields, an end not after the start, bad creators, bad settings and a read-only token', async () => {
    const start = Date.now();
    const ok = { creatorUnionId: 'uA1', title: 'T', startTime: start, endTime: start + MIN };
    expect(await code(api.create({ ...ok, title: undefined }))).toEqual([400, 'paramsError']);
    expect(await code(api.create({ ...ok, endTime: undefined }))).toEqual([400, 'paramsError']);
    expect(await code(api.create({ ...ok, endTime: start }))).toEqual([400, 'paramsError']);
    expect(await code(api.create({ ...ok, creatorUnionId: 'nobody' }))).toEqual([400, 'paramsError']);
    expect(await code(api.create({ ...ok, creatorUnionId: 'uB1' }))).toEqual([400, 'paramsError']);
    expect(await code(api.create({ ...ok, creatorUnionId: 'uA4' }))).toEqual([400, 'permissionError']);
    expect(await code(api.create({ ...ok, settings: { hostUnionId: 'uB1' } }))).toEqual([400, 'paramsError']);
    expect(await code(api.create({ ...ok, settings: { muteOnJoin: 3 } }))).toEqual([400, 'paramsError']);
    expect(await code(api.create({ ...ok, settings: { confAllowedCorpId: 'dingbeta' } }))).toEqual([400, 'paramsError']);
    expect(await code(api.create(ok, readOnlyToken))).toEqual([403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied']);
  });
});

describe('QueryScheduleConference and UpdateScheduleConference', () => {
  it('reads the booking back, and lets its creator change title and times', async () => {
    const b = await book();
    const read = await api.query(b.scheduleConferenceId, 'uA2');
    expect(read.body).toEqual(expect.objectContaining({ scheduleConferenceId: b.scheduleConferenceId, title: 'Weekly sync', roomCode: b.roomCode, url: b.url, phones: PHONES }));
    const start = Date.now() + 24 * 60 * MIN;
    const res = await api.update({ scheduleConferenceId: b.scheduleConferenceId, creatorUnionId: 'uA1', title: 'Moved', startTime: start, endTime: start + 30 * MIN });
    expect(res.body).toEqual({ success: true });
    expect((await api.query(b.scheduleConferenceId, 'uA1')).body).toEqual(
      expect.objectContaining({ title: 'Moved', startTime: start, endTime: start + 30 * MIN, roomCode: b.roomCode }),
    );
  });

  it('answers the documented errors: bad input, not the creator, unknown ids, another organization, cancelled', async () => {
    const b = await book();
    const id = b.scheduleConferenceId;
    const start = Date.now();
    const body = { scheduleConferenceId: id, creatorUnionId: 'uA1', title: 'T', startTime: start, endTime: start + MIN };
    expect(await code(api.update({ ...body, endTime: start - 1 }))).toEqual([400, 'paramsError']);
    expect(await code(api.update({ ...body, scheduleConferenceId: 'nope' }))).toEqual([400, 'paramsError']);
    expect(await code(api.update({ ...body, creatorUnionId: 'uA2' }))).toEqual([400, 'permissionError']);
    expect(await code(api.update({ ...body, creatorUnionId: 'uB1' }))).toEqual([400, 'permissionError']);
    expect(await code(api.update(body, betaToken))).toEqual([400, 'permissionError']);
    expect(await code(api.query(id, undefined))).toEqual([400, 'paramsError']);
    expect(await code(api.query(id, 'uB1'))).toEqual([400, 'permissionError']);
    expect(await code(api.query(id, 'uB1', betaToken))).toEqual([400, 'permissionError']);
    expect(await code(api.query('nope', 'uA1'))).toEqual([400, 'paramsError']);

    await api.cancel(id, 'uA1');
    const cancelled = await sdkError(api.update(body));
    expect([cancelled.statusCode, cancelled.code, cancelled.data.message]).toEqual([400, 'resourceCancel', 'Schedule conference has canceled']);
    expect(await code(api.query(id, 'uA1'))).toEqual([400, 'resourceCancel']);
  });
});

describe('CancelScheduleConference', () => {
  it('only the creator cancels; again is no error; the link then shows a cancelled meeting', async () => {
    const b = await book();
    expect(await code(api.cancel(b.scheduleConferenceId, 'uA2'))).toEqual([400, 'permissionError']);
    expect(await code(api.cancel(b.scheduleConferenceId, 'uA1', betaToken))).toEqual([400, 'permissionError']);
    expect(await code(api.cancel('nope', 'uA1'))).toEqual([400, 'paramsError']);
    expect(await code(api.cancel(b.scheduleConferenceId, 'ghost'))).toEqual([400, 'permissionError']);
    expect((await api.cancel(b.scheduleConferenceId, 'uA1')).body).toEqual({ success: true });
    expect((await api.cancel(b.scheduleConferenceId, 'uA1')).body).toEqual({ success: true });
    const a = await admit(server.url, linkToken(b.url));
    expect([a.status, a.body.code, a.body.message]).toEqual([410, 'meetingCancelled', 'This meeting was cancelled by its organizer.']);
    expect((await api.info(b.scheduleConferenceId)).body!.conferenceList).toEqual([]);
  });
});

describe('joining a booking', () => {
  it('starts a booked meeting instance governed by the settings; later joiners enter the same one', async () => {
    const b = await book({ settings: { hostUnionId: 'uA2', cohostUnionIds: ['uA3'], muteOnJoin: -1, screenShareForbidden: 1 } });
    const first = await admit(server.url, linkToken(b.url));
    expect(first.status).toBe(200);
    const conferenceId = String(first.body.conferenceId);
    const c = await RoomClient.enter(server.url, first, { name: 'Guest' });
    clients.push(c);
    expect(c.participantId).not.toBe('');
    const settings = await c.next((f) => f.type === 'settings', 2000);
    expect(settings).toEqual(expect.objectContaining({ muteAll: true, forbiddenShareScreen: true, canShare: false }));

    const { meeting, members } = await server.running.ctx.meetings.find('dingacme', conferenceId);
    expect(meeting).toEqual(
      expect.objectContaining({ bizType: '3', scheduleConferenceId: b.scheduleConferenceId, roomCode: b.roomCode, title: 'Weekly sync', creatorUnionId: 'uA1', status: MeetingStatus.started }),
    );
    expect(members.find((m) => m.unionId === 'uA2')).toEqual(expect.objectContaining({ host: true, coHost: false }));
    expect(members.find((m) => m.unionId === 'uA3')).toEqual(expect.objectContaining({ host: false, coHost: true }));

    const second = await admit(server.url, linkToken(b.url));
    expect(second.body.conferenceId).toBe(conferenceId);

    const info = await api.info(b.scheduleConferenceId);
    expect(info.body).toEqual(expect.objectContaining({ totalCount: 1 }));
    expect(info.body!.conferenceList).toEqual([expect.objectContaining({ conferenceId, roomCode: b.roomCode, status: MeetingStatus.started, title: 'Weekly sync' })]);
    const viaQuery = await sdk().queryConferenceInfoWithOptions(conferenceId, headers(token), runtime());
    expect(viaQuery.body!.confInfo).toEqual(expect.objectContaining({ bizType: '3', scheduleConferenceId: b.scheduleConferenceId }));
  });

  it('opens 15 minutes before the start, refuses earlier and after the end, and restarts after an instance was closed', async () => {
    const early = await book({ start: Date.now() + 60 * MIN });
    const refused = await admit(server.url, linkToken(early.url));
    expect([refused.status, refused.body.code]).toEqual([403, 'notOpenYet']);
    const soon = await book({ start: Date.now() + 10 * MIN });
    expect((await admit(server.url, linkToken(soon.url))).status).toBe(200);
    const over = await book({ start: Date.now() - 120 * MIN, end: Date.now() - 60 * MIN });
    const late = await admit(server.url, linkToken(over.url));
    expect([late.status, late.body.code]).toEqual([410, 'meetingEnded']);

    const b = await book();
    const one = String((await admit(server.url, linkToken(b.url))).body.conferenceId);
    await server.running.ctx.presence.end(one);
    const two = String((await admit(server.url, linkToken(b.url))).body.conferenceId);
    expect(two).not.toBe(one);
    const info = await api.info(b.scheduleConferenceId, { maxResults: 1 });
    expect(info.body).toEqual(expect.objectContaining({ totalCount: 2, nextToken: '1' }));
    expect(info.body!.conferenceList!.map((m) => m.conferenceId)).toEqual([two]);
    const rest = await api.info(b.scheduleConferenceId, { maxResults: 1, nextToken: '1' });
    expect(rest.body!.conferenceList).toEqual([expect.objectContaining({ conferenceId: one, status: MeetingStatus.ended })]);
    expect(rest.body!.nextToken).toBeUndefined();
  });

  it('starts one instance when many people open the link at the same moment', async () => {
    const b = await book();
    const all = await Promise.all(Array.from({ length: 6 }, () => admit(server.url, linkToken(b.url))));
    expect(all.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(new Set(all.map((a) => a.body.conferenceId)).size).toBe(1);
    expect((await api.info(b.scheduleConferenceId)).body!.totalCount).toBe(1);
    // In-process calls interleave at every await, so two of them do race to create the instance.
    const other = await book();
    const { roomCode, token: secret } = linkToken(other.url);
    const opened = await Promise.all(Array.from({ length: 6 }, () => server.running.ctx.schedule.open(roomCode, secret)));
    expect(new Set(opened.map((m) => (typeof m === 'object' ? m.conferenceId : m))).size).toBe(1);
    expect((await api.info(other.scheduleConferenceId)).body!.totalCount).toBe(1);
  });

  it('refuses a newcomer to a booking with lockRoom', async () => {
    const b = await book({ settings: { lockRoom: 1 } });
    const a = await admit(server.url, linkToken(b.url));
    expect([a.status, a.body.code]).toEqual([423, 'meetingLocked']);
  });
});

describe('QueryScheduleConferenceInfo', () => {
  it('answers invalidScheduleConferenceId for unknown and foreign bookings, paramsError for a bad page', async () => {
    const b = await book();
    expect((await api.info(b.scheduleConferenceId)).body).toEqual(expect.objectContaining({ conferenceList: [], totalCount: 0 }));
    expect(await code(api.info('nope'))).toEqual([400, 'invalidScheduleConferenceId']);
    expect(await code(api.info(b.scheduleConferenceId, {}, betaToken))).toEqual([400, 'invalidScheduleConferenceId']);
    expect(await code(api.info(b.scheduleConferenceId, { nextToken: 'zz' }))).toEqual([400, 'paramsError']);
    expect(await code(api.info(b.scheduleConferenceId, { maxResults: 0 }))).toEqual([400, 'paramsError']);
  });
});

describe('QueryScheduleConfSettings and UpdateScheduleConfSettings', () => {
  it('shows the defaults, then what the creator set; the next instance uses them', async () => {
    const b = await book();
    expect((await api.settings(b.scheduleConferenceId)).body!.scheduleConfSettingModel).toEqual(
      expect.objectContaining({ hostUnionId: 'uA1', cohostUnionIds: [], lockRoom: 0, muteOnJoin: 0, screenShareForbidden: 0 }),
    );
    const next = {
      hostUnionId: 'uA3',
      cohostUnionIds: ['uA2'],
      lockRoom: 0,
      muteOnJoin: -1,
      screenShareForbidden: 0,
      moziConfVirtualExtraSetting: new $conference.UpdateScheduleConfSettingsRequestScheduleConfSettingModelMoziConfVirtualExtraSetting({
        lockMediaStatusMicMute: 1,
        enableChat: 1,
      }),
    };
    expect((await api.setSettings(b.scheduleConferenceId, 'uA1', next)).body).toEqual({ success: true });
    const read = (await api.settings(b.scheduleConferenceId)).body!.scheduleConfSettingModel!;
    expect(read).toEqual(expect.objectContaining({ hostUnionId: 'uA3', cohostUnionIds: ['uA2'], muteOnJoin: -1 }));
    expect(read.moziConfVirtualExtraSetting).toEqual(expect.objectContaining({ lockMediaStatusMicMute: 1, enableChat: 1 }));

    const a = await admit(server.url, linkToken(b.url));
    const c = await RoomClient.enter(server.url, a, { name: 'Guest' });
    clients.push(c);
    expect(await c.next((f) => f.type === 'settings', 2000)).toEqual(expect.objectContaining({ muteAll: true, allowUnmuteSelf: false, canUnmute: false }));
    const { members } = await server.running.ctx.meetings.find('dingacme', String(a.body.conferenceId));
    expect(members.find((m) => m.host)?.unionId).toBe('uA3');
  });

  it('answers the documented errors', async () => {
    const b = await book();
    const id = b.scheduleConferenceId;
    expect(await code(api.settings(undefined))).toEqual([400, 'paramError']);
    expect(await code(api.settings('nope'))).toEqual([400, 'scheduleConferenceIdError']);
    expect(await code(api.settings(id, betaToken))).toEqual([403, 'noPermission']);
    expect(await code(api.setSettings(id, undefined, {}))).toEqual([400, 'paramError']);
    expect(await code(api.setSettings('nope', 'uA1', {}))).toEqual([400, 'scheduleConferenceIdError']);
    expect(await code(api.setSettings(id, 'uA1', {}, betaToken))).toEqual([403, 'noPermission']);
    expect(await code(api.setSettings(id, 'uA2', {}))).toEqual([400, 'creatorUidError']);
    expect(await code(api.setSettings(id, 'uB1', {}))).toEqual([400, 'userNotInOrg']);
    expect(await code(api.setSettings(id, 'uA1', { cohostUnionIds: ['uB1'] }))).toEqual([400, 'userNotInOrg']);
    expect(await code(api.setSettings(id, 'uA1', { lockRoom: 7 }))).toEqual([400, 'paramError']);
    expect((await api.settings(id, readOnlyToken)).statusCode).toBe(200);
    expect(await code(api.setSettings(id, 'uA1', {}, readOnlyToken))).toEqual([403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied']);
    await api.cancel(id, 'uA1');
    expect(await code(api.setSettings(id, 'uA1', {}))).toEqual([400, 'resourceCancel']);
  });
});

describe('bookings across a restart', () => {
  it('keep their code, link, settings and cancellation', async () => {
    const open = await book({ settings: { muteOnJoin: -1 } });
    const gone = await book();
    await api.cancel(gone.scheduleConferenceId, 'uA1');
    const codes = await Promise.all(Array.from({ length: 20 }, () => book()));
    expect(new Set(codes.map((b) => b.roomCode)).size).toBe(20);
    await server.restart();
    expect((await api.query(open.scheduleConferenceId, 'uA1')).body).toEqual(expect.objectContaining({ roomCode: open.roomCode, url: open.url }));
    expect((await api.settings(open.scheduleConferenceId)).body!.scheduleConfSettingModel).toEqual(expect.objectContaining({ muteOnJoin: -1 }));
    expect((await admit(server.url, linkToken(open.url))).status).toBe(200);
    expect((await admit(server.url, linkToken(gone.url))).body.code).toBe('meetingCancelled');
  });
});
