/** QueryConferenceInfo through the official SDK: a fresh meeting's confInfo and the query's errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError, type SdkError } from '../support/sdk.js';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

function expectError(err: SdkError, statusCode: number, code: string, message?: string) {
  expect({ statusCode: err.statusCode, code: err.code }).toEqual({ statusCode, code });
  expect(err.data.requestid).toMatch(REQUEST_ID);
  if (message !== undefined) expect(err.data.message).toBe(message);
}

let server: TestServer;
let acme: string;
beforeAll(async () => {
  server = await startTestServer();
  acme = await appToken(server.endpoint, 'acme-app', 's3cret');
});
afterAll(async () => server.stop());

async function create(fields: Record<string, unknown>, token = acme) {
  const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest(fields),
    confHeaders(token),
    runtime(),
  );
  return res.body!;
}

function query(conferenceId: string, token = acme) {
  return conferenceClient(server.endpoint).queryConferenceInfoWithOptions(
    conferenceId,
    new $conference.QueryConferenceInfoHeaders({ xAcsDingtalkAccessToken: token }),
    runtime(),
  );
}

describe('a fresh meeting', () => {
  it('reports status 0, its title, codes, link, creator and instant bizType', async () => {
    const before = Date.now();
    const created = await create({ userId: 'uA1', confTitle: 'Planning', inviteUserIds: ['uA2', 'uA3'] });
    const res = await query(created.conferenceId!);
    expect(res.statusCode).toBe(200);
    const info = res.body!.confInfo!;
    expect(info).toMatchObject({
      conferenceId: created.conferenceId,
      status: 0,
      title: 'Planning',
      roomCode: created.roomCode,
      externalLinkUrl: created.externalLinkUrl,
      creatorId: 'uA1',
      creatorNick: 'Alice',
      bizType: '0',
      invitedNum: 3,
      activeNum: 0,
      attendNum: 0,
    });
    expect(info.startTime).toBeGreaterThanOrEqual(before);
    expect(info.startTime).toBeLessThanOrEqual(Date.now());
    // Only an ended meeting has an end and a duration.
    expect(info.endTime).toBeUndefined();
    expect(info.confDuration).toBeUndefined();
  });

  it('counts invitations: the organizer is not invited with inviteCaller false', async () => {
    const created = await create({ userId: 'uA1', confTitle: 'Quiet', inviteUserIds: ['uA2', 'uA3', 'uA2'], inviteCaller: false });
    expect((await query(created.conferenceId!)).body!.confInfo!.invitedNum).toBe(2);
  });

  it('reports the title as stored: truncated to 50 code points', async () => {
    const created = await create({ userId: 'uA1', confTitle: `${'会'.repeat(49)}🎉${'x'.repeat(100)}` });
    expect((await query(created.conferenceId!)).body!.confInfo!.title).toBe(`${'会'.repeat(49)}🎉`);
  });

  it('is readable with the read scope alone', async () => {
    const created = await create({ userId: 'uA2', confTitle: 'Read me' });
    const readonly = await appToken(server.endpoint, 'acme-readonly', 'r3ad');
    expect((await query(created.conferenceId!, readonly)).body!.confInfo!.creatorId).toBe('uA2');
  });
});

describe('errors', () => {
  it('answers an unknown conferenceId with 404 roomNotFound', async () => {
    expectError(await sdkError(query('000000000000000000000000')), 404, 'roomNotFound', 'ROOM NOT FOUND');
  });

  it('answers an empty conferenceId with 400 missingRoomId', async () => {
    expectError(await sdkError(query('')), 400, 'missingRoomId', 'MISSING ROOM ID');
  });

  it("answers another organization's meeting with 403 noPermission", async () => {
    const created = await create({ userId: 'uA1', confTitle: 'Acme only' });
    const beta = await appToken(server.endpoint, 'beta-app', 'b3ta');
    expectError(await sdkError(query(created.conferenceId!, beta)), 403, 'noPermission', 'NO PERMISSION');
  });

  it('refuses a token without the read scope with 403 and the required scope', async () => {
    const created = await create({ userId: 'uA1', confTitle: 'Scoped' });
    const none = await appToken(server.endpoint, 'acme-none', 'n0ne');
    const err = await sdkError(query(created.conferenceId!, none));
    expectError(err, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
    expect(err.accessDeniedDetail?.requiredScopes).toEqual([READ]);
  });
});
