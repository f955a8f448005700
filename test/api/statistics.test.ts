/**
 * Issue 12 §5 through the official SDK: the five statistics operations answer from member records
 * that real presence wrote and from samples the server's rooms measured — two signed-in people in
 * a real room (signaling WebSocket; no media here: the bit rates of real media are checked in
 * Chromium by test/e2e/statistics.test.ts) — with the spec's field names and types, the time
 * windows they are asked for, and the errors of bad parameters, unknown and foreign meetings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/domain/passwords.js';
import { directory } from '../support/fixtures.js';
import { linkToken, RoomClient } from '../support/room-client.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError, type SdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const METRIC_STRINGS = [
  'audioPlayLevel',
  'audioRecLevel',
  'audioRecvBitRate',
  'audioSendBitRate',
  'cameraRecvBitRate',
  'cameraRecvFrame',
  'cameraRecvResolutionActual',
  'cameraSendBitRate',
  'cameraSendFrame',
  'cameraSendResolutionActual',
  'lostRate',
  'recvBitRate',
  'roundTripTime',
  'screenRecvBitRate',
  'screenRecvFrame',
  'screenRecvResolutionActual',
  'screenSendBitRate',
  'screenSendFrame',
  'screenSendResolutionActual',
  'sendBitRate',
];

let server: TestServer;
let acme: string;
let beta: string;
let noScopes: string;
let conferenceId: string;
let betaMeeting: string;
let t0: number;
let alice: RoomClient;
let bob: RoomClient;

const client = () => conferenceClient(server.endpoint);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signs in a directory user with their password, then admits their browser with the join link. */
async function signedInEnter(unionId: string, password: string, externalLinkUrl: string, name: string): Promise<RoomClient> {
  const signin = await fetch(`${server.url}/api/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unionId, password }) });
  expect(signin.status).toBe(200);
  const cookie = signin.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const res = await fetch(`${server.url}/api/admit`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(linkToken(externalLinkUrl)) });
  expect(res.status).toBe(200);
  return RoomClient.enter(server.url, { status: res.status, body: (await res.json()) as Record<string, unknown>, cookie }, { name });
}

async function create(token: string, userId: string, confTitle: string) {
  const res = await client().createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId, confTitle }), confHeaders(token), runtime());
  return res.body!;
}

const confData = (id: string, query: Record<string, unknown> = { realData: true }, token = acme) =>
  client().getConfDataByConferenceIdWithOptions(id, new $conference.GetConfDataByConferenceIdRequest(query), confHeaders(token), runtime());
const details = (id: string, query: Record<string, unknown> = {}, token = acme) =>
  client().getConfDetailDataWithOptions(id, new $conference.GetConfDetailDataRequest(query), confHeaders(token), runtime());
const history = (query: Record<string, unknown>, token = acme) =>
  client().getHistoryConfDataListWithOptions(new $conference.GetHistoryConfDataListRequest(query), confHeaders(token), runtime());
const lastMetric = (id: string, unionIdList: unknown, token = acme) =>
  client().getUserLastMetricWithOptions(id, new $conference.GetUserLastMetricRequest(unionIdList === undefined ? {} : { unionIdList: unionIdList as string[] }), confHeaders(token), runtime());
const metricData = (id: string, query: Record<string, unknown>, token = acme) =>
  client().getUserMetricDataWithOptions(id, new $conference.GetUserMetricDataRequest(query), confHeaders(token), runtime());

function expectError(err: SdkError, statusCode: number, code: string) {
  expect({ statusCode: err.statusCode, code: err.code }).toEqual({ statusCode, code });
  expect(err.data.requestid).toMatch(REQUEST_ID);
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await sleep(50);
  }
}

beforeAll(async () => {
  const doc = structuredClone(directory) as { orgs: Array<{ users?: Array<{ unionId: string; passwordHash?: string }> }> };
  for (const user of doc.orgs[0]!.users!) if (user.unionId === 'uA1' || user.unionId === 'uA2') user.passwordHash = hashPassword(`${user.unionId}-password`);
  server = await startTestServer({ directory: doc, config: { statsIntervalMs: 200 } });
  [acme = '', beta = '', noScopes = ''] = await Promise.all([appToken(server.endpoint, 'acme-app', 's3cret'), appToken(server.endpoint, 'beta-app', 'b3ta'), appToken(server.endpoint, 'acme-none', 'n0ne')]);
  t0 = Date.now();
  const meeting = await create(acme, 'uA1', 'Quarterly numbers');
  conferenceId = meeting.conferenceId!;
  betaMeeting = (await create(beta, 'uB1', 'Beta only')).conferenceId!;
  alice = await signedInEnter('uA1', 'uA1-password', meeting.externalLinkUrl!, 'Alice');
  bob = await signedInEnter('uA2', 'uA2-password', meeting.externalLinkUrl!, 'Bob');
});
afterAll(async () => {
  alice?.close();
  bob?.close();
  await server.stop();
});

describe('statistics of a meeting two signed-in people are in', () => {
  it('GetUserMetricData: one person\'s samples in the window asked for, every metric a string', async () => {
    const list = await eventually(
      async () => (await metricData(conferenceId, { unionId: 'uA1', beginTime: t0, endTime: Date.now() })).body!.metricDataList ?? [],
      (l) => l.length >= 3,
    );
    expect(list.length).toBeGreaterThanOrEqual(3);
    const now = Date.now();
    for (const sample of list) {
      expect(sample.timestamp).toBeGreaterThanOrEqual(t0);
      expect(sample.timestamp).toBeLessThanOrEqual(now);
      const raw = sample as unknown as Record<string, unknown>;
      for (const field of METRIC_STRINGS) expect(typeof raw[field], field).toBe('string');
      // Nobody sends media here: measured rates are zero, not invented.
      expect(sample.sendBitRate).toBe('0');
      expect(sample.lostRate).toBe('0.00');
    }
    const times = list.map((s) => s.timestamp!);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // A window before the meeting has nothing; one around a single sample has just it.
    expect((await metricData(conferenceId, { unionId: 'uA1', beginTime: t0 - 3_600_000, endTime: t0 - 1 })).body!.metricDataList).toEqual([]);
    expect((await metricData(conferenceId, { unionId: 'uA1', beginTime: times[1]!, endTime: times[1]! })).body!.metricDataList!.map((s) => s.timestamp)).toEqual([times[1]]);
    // Someone who was never in the meeting has no samples.
    expect((await metricData(conferenceId, { unionId: 'uA3', beginTime: t0, endTime: now })).body!.metricDataList).toEqual([]);
  });

  it('GetUserLastMetric: the newest sample of each person asked for, keyed by unionId', async () => {
    const map = await eventually(
      async () => (await lastMetric(conferenceId, ['uA1', 'uA2', 'uA3'])).body!.metricMap!,
      (m) => Object.keys(m).length === 2,
    );
    expect(Object.keys(map).sort()).toEqual(['uA1', 'uA2']);
    const newest = (await metricData(conferenceId, { unionId: 'uA2', beginTime: t0, endTime: Date.now() })).body!.metricDataList!.at(-1)!;
    // Read after that sample: it is at least as new.
    const last = (await lastMetric(conferenceId, ['uA2'])).body!.metricMap!.uA2 as Record<string, unknown>;
    expect(last.timestamp).toBeGreaterThanOrEqual(newest.timestamp!);
    for (const field of [...METRIC_STRINGS, 'audioJitterAvg', 'audioJitterMax']) expect(typeof last[field], field).toBe('string');
  });

  it('GetConfDetailData: both people with role, join time and, once left, leave time and duration', async () => {
    const rows = (await details(conferenceId)).body!.list!;
    expect(rows.map((r) => [r.unionId, r.nick, r.role, r.status, r.deviceType, r.belongOrg, r.conferenceId]).sort()).toEqual([
      ['uA1', 'Alice', 'host', '3', 'web', 'dingacme', conferenceId],
      ['uA2', 'Bob', 'participant', '3', 'web', 'dingacme', conferenceId],
    ]);
    for (const row of rows) {
      expect(row.joinTime).toBeGreaterThanOrEqual(t0);
      expect(row.leaveTime).toBeUndefined();
      // Measured, but nothing was sent to measure.
      expect(row.networkQuality).toBe('unknown');
      expect(row.sessionId).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    bob.close();
    await bob.closed;
    const bobRow = await eventually(
      async () => (await details(conferenceId)).body!.list!.find((r) => r.unionId === 'uA2')!,
      (r) => r.leaveTime !== undefined,
    );
    expect(bobRow.status).toBe('6');
    expect(bobRow.leaveTime!).toBeGreaterThanOrEqual(bobRow.joinTime!);
    expect(bobRow.duration).toBeGreaterThan(0);
    // Paging and the name filter.
    const first = (await details(conferenceId, { maxResults: 1 })).body!;
    expect(first.list).toHaveLength(1);
    const second = (await details(conferenceId, { maxResults: 1, nextToken: first.nextToken })).body!;
    expect([...first.list!, ...second.list!].map((r) => r.unionId).sort()).toEqual(['uA1', 'uA2']);
    expect(second.nextToken).toBeUndefined();
    expect((await details(conferenceId, { nick: 'Bo' })).body!.list!.map((r) => r.unionId)).toEqual(['uA2']);
  });

  it("a page's getStats report fills in what only the browser knows, and the room is told everyone's quality", async () => {
    const welcome = alice.frames.find((f) => f.type === 'welcome')!;
    expect(welcome.statsIntervalMs).toBe(200);
    alice.send({ type: 'stats', audioSend: 32_000, cameraSend: 800_000, cameraSendRes: '1280x720', cameraSendFps: 30, micLevel: 0.42, rtt: 700, lossUp: 1.5 });
    // A round trip of 700 ms is a poor connection.
    const quality = await alice.next((f) => f.type === 'quality' && (f.levels as Record<string, number>)[alice.participantId] === 1, 3000);
    expect(quality.levels).toEqual({ [alice.participantId]: 1 });
    const last = await eventually(
      async () => (await lastMetric(conferenceId, ['uA1'])).body!.metricMap!.uA1 as Record<string, unknown>,
      (m) => m.cameraSendResolutionActual === '1280x720',
    );
    expect(last).toMatchObject({
      audioSendBitRate: '32000',
      cameraSendBitRate: '800000',
      sendBitRate: '832000',
      cameraSendResolutionActual: '1280x720',
      cameraSendFrame: '30',
      audioRecLevel: '42',
      roundTripTime: '700',
      lostRate: '1.50',
    });
    expect((await details(conferenceId)).body!.list!.find((r) => r.unionId === 'uA1')!.networkQuality).toBe('poor');
    // A report the protocol does not allow is refused and changes nothing.
    const from = alice.frames.length;
    alice.send({ type: 'stats', rtt: -5, cameraSendRes: '<script>' });
    expect((await alice.next((f) => f.type === 'error', 2000, from)).code).toBe('badMessage');
  });

  it("GetConfDataByConferenceId: the meeting's record — creator, organization, start, length, people", async () => {
    const body = (await confData(conferenceId)).body!;
    expect(body).toMatchObject({ conferenceId, creatorId: 'uA1', creatorNick: 'Alice', deptName: 'Acme', title: 'Quarterly numbers', userCount: 2 });
    expect(body.startTime).toBeGreaterThanOrEqual(t0);
    expect(body.endTime).toBeUndefined();
    expect(body.timeLength).toBeGreaterThan(0);
  });

  it('GetHistoryConfDataList: finds the meeting in its window and not outside it, by title, page by page', async () => {
    const now = Date.now();
    const inWindow = (await history({ startTime: t0 - 1000, endTime: now, realData: true })).body!.list!;
    expect(inWindow.map((m) => m.conferenceId)).toContain(conferenceId);
    // Another organization's meeting in the same window is not listed.
    expect(inWindow.map((m) => m.conferenceId)).not.toContain(betaMeeting);
    expect(inWindow.find((m) => m.conferenceId === conferenceId)).toMatchObject({ title: 'Quarterly numbers', creatorNick: 'Alice', userCount: 2 });
    expect((await history({ startTime: t0 - 7_200_000, endTime: t0 - 3_600_000, realData: true })).body!.list).toEqual([]);
    expect((await history({ startTime: now + 60_000, endTime: now + 120_000, realData: true })).body!.list).toEqual([]);
    expect((await history({ startTime: t0 - 1000, endTime: now, realData: true, title: 'Quarterly numbers' })).body!.list!.map((m) => m.conferenceId)).toEqual([conferenceId]);
    expect((await history({ startTime: t0 - 1000, endTime: now, realData: true, creatorNike: 'Nobody' })).body!.list).toEqual([]);
    // Two meetings of Acme in the window, one per page.
    const other = (await create(acme, 'uA2', 'Second')).conferenceId!;
    const end = Date.now();
    const page1 = (await history({ startTime: t0 - 1000, endTime: end, realData: true, maxResults: 1 })).body!;
    const page2 = (await history({ startTime: t0 - 1000, endTime: end, realData: true, maxResults: 1, nextToken: page1.nextToken })).body!;
    expect([...page1.list!, ...page2.list!].map((m) => m.conferenceId)).toEqual([other, conferenceId]);
    expect(page2.nextToken).toBeUndefined();
  });

  it('after the meeting ends, its record has the end time and length', async () => {
    await client().closeVideoConferenceWithOptions(conferenceId, new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }), confHeaders(acme), runtime());
    await alice.closed;
    const body = (await confData(conferenceId)).body!;
    expect(body.endTime).toBeGreaterThanOrEqual(body.startTime!);
    expect(body.timeLength).toBe(body.endTime! - body.startTime!);
    const rows = (await details(conferenceId)).body!.list!;
    for (const row of rows) expect(row.leaveTime).toBeGreaterThanOrEqual(row.joinTime!);
  });
});

describe('statistics errors', () => {
  it('unknown and foreign meetings: 404 roomNotFound, 403 noPermission', async () => {
    const unknown = '000000000000000000000000';
    expectError(await sdkError(confData(unknown)), 404, 'roomNotFound');
    expectError(await sdkError(details(unknown)), 404, 'roomNotFound');
    expectError(await sdkError(lastMetric(unknown, ['uA1'])), 404, 'roomNotFound');
    expectError(await sdkError(metricData(unknown, { unionId: 'uA1', beginTime: 0, endTime: 1 })), 404, 'roomNotFound');
    expectError(await sdkError(confData(betaMeeting)), 403, 'noPermission');
    expectError(await sdkError(details(betaMeeting)), 403, 'noPermission');
    expectError(await sdkError(lastMetric(betaMeeting, ['uB1'])), 403, 'noPermission');
    expectError(await sdkError(metricData(betaMeeting, { unionId: 'uB1', beginTime: 0, endTime: 1 })), 403, 'noPermission');
  });

  it('bad or missing parameters: 400 paramError, and nothing is answered half', async () => {
    const now = Date.now();
    for (const call of [
      () => confData(conferenceId, {}),
      () => history({ startTime: 0, endTime: now }),
      () => history({ endTime: now, realData: true }),
      () => history({ startTime: now, endTime: now - 1, realData: true }),
      () => history({ startTime: 0, endTime: now, realData: true, nextToken: 'not-a-cursor' }),
      () => history({ startTime: 0, endTime: now, realData: true, maxResults: 0 }),
      () => details(conferenceId, { nextToken: 'not-a-cursor' }),
      () => lastMetric(conferenceId, undefined),
      () => lastMetric(conferenceId, []),
      () => lastMetric(conferenceId, Array.from({ length: 101 }, (_, i) => `u${i}`)),
      () => metricData(conferenceId, { beginTime: 0, endTime: now }),
      () => metricData(conferenceId, { unionId: 'uA1', endTime: now }),
      () => metricData(conferenceId, { unionId: 'uA1', beginTime: now, endTime: now - 1 }),
    ]) {
      expectError(await sdkError(call()), 400, 'paramError');
    }
    // Not numbers where numbers go.
    const res = await fetch(`${server.url}/v1.0/conference/videoConferences/${conferenceId}/metricDatas?unionId=uA1&beginTime=yesterday&endTime=1`, { headers: { 'x-acs-dingtalk-access-token': acme } });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([400, 'paramError']);
  });

  it('need a token with the read scope', async () => {
    expectError(await sdkError(confData(conferenceId, { realData: true }, noScopes)), 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
    expectError(await sdkError(lastMetric(conferenceId, ['uA1'], noScopes)), 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
    expectError(await sdkError(history({ startTime: 0, endTime: 1, realData: true }, 'not-a-token')), 400, 'InvalidAuthentication');
  });
});
