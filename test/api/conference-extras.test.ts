/**
 * Issue 13 §4–5 through the official SDK: UpdateVideoConferenceExtInfo (stored, shown by
 * QueryConferenceInfo), CreateCustomShortLink (a user's link to a booked meeting carrying the
 * extension app's data), and InviteUsers accepting an invitee without `nick`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $conference, appToken, conferenceClient, confHeaders, memberModels, runtime, sdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
const sdk = () => conferenceClient(server.endpoint);

beforeAll(async () => {
  server = await startTestServer();
  token = await appToken(server.endpoint, 'acme-app', 's3cret');
});
afterAll(async () => server?.stop());

async function meeting(): Promise<string> {
  const res = await sdk().createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Extras', inviteCaller: false }),
    confHeaders(token),
    runtime(),
  );
  return res.body!.conferenceId!;
}

const info = async (id: string) =>
  (await sdk().queryConferenceInfoWithOptions(id, new $conference.QueryConferenceInfoHeaders({ xAcsDingtalkAccessToken: token }), runtime())).body!.confInfo!;

/** PUT …/extInfo with a JSON body, as a client other than the SDK (which sends none) can. */
async function putExtInfo(id: string, body: unknown, t = token) {
  return fetch(`${server.url}/v1.0/conference/videoConferences/${id}/extInfo`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': t },
    body: JSON.stringify(body),
  });
}

describe('UpdateVideoConferenceExtInfo', () => {
  it('stores the ext info a body carries and QueryConferenceInfo shows it; the SDK’s bodiless call keeps it', async () => {
    const id = await meeting();
    expect((await info(id)).extensionAppSettings).toBeUndefined();
    const apps = [{ appCode: 'cool-1', appId: 'app-9', autoOpenMode: 2, extensionAppBizData: '{"deck":42}' }];
    expect((await putExtInfo(id, { extensionAppSettings: apps })).status).toBe(200);
    const sdkAnswer = await sdk().updateVideoConferenceExtInfoWithOptions(id, new $conference.UpdateVideoConferenceExtInfoHeaders({ xAcsDingtalkAccessToken: token }), runtime());
    expect(sdkAnswer.body).toMatchObject({ case: 'success', code: '200' });
    const shown = await info(id);
    expect(shown.extensionAppSettings).toEqual([expect.objectContaining({ appCode: 'cool-1', appId: 'app-9', autoOpenMode: 2, extensionAppBizData: '{"deck":42}' })]);
  });

  it('answers like the other meeting changes: write scope, another organization’s meeting, an ended meeting', async () => {
    const id = await meeting();
    const readonly = await appToken(server.endpoint, 'acme-readonly', 'r3ad');
    expect(((await (await putExtInfo(id, {}, readonly)).json()) as { code: string }).code).toBe('Forbidden.AccessDenied.AccessTokenPermissionDenied');
    const beta = await appToken(server.endpoint, 'beta-app', 'b3ta');
    const foreign = await sdkError(sdk().updateVideoConferenceExtInfoWithOptions(id, new $conference.UpdateVideoConferenceExtInfoHeaders({ xAcsDingtalkAccessToken: beta }), runtime()));
    expect(foreign.code).toBe('orgAccessForbidden');
    await sdk().closeVideoConferenceWithOptions(id, new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }), confHeaders(token), runtime());
    const ended = await sdkError(sdk().updateVideoConferenceExtInfoWithOptions(id, new $conference.UpdateVideoConferenceExtInfoHeaders({ xAcsDingtalkAccessToken: token }), runtime()));
    expect([ended.statusCode, ended.code]).toEqual([400, 'resourceClose']);
  });
});

describe('CreateCustomShortLink', () => {
  async function booking(): Promise<string> {
    const now = Date.now();
    const res = await sdk().createScheduleConferenceWithOptions(
      new $conference.CreateScheduleConferenceRequest({ creatorUnionId: 'uA1', title: 'Booked', startTime: now, endTime: now + 3600_000 }),
      new $conference.CreateScheduleConferenceHeaders({ xAcsDingtalkAccessToken: token }),
      runtime(),
    );
    return res.body!.scheduleConferenceId!;
  }
  const create = (fields: Record<string, unknown>, t = token) =>
    sdk().createCustomShortLinkWithOptions(new $conference.CreateCustomShortLinkRequest(fields), new $conference.CreateCustomShortLinkHeaders({ xAcsDingtalkAccessToken: t }), runtime());

  it('gives a user a short link that opens the booking’s join link with the extension app’s code and data', async () => {
    const id = await booking();
    const res = await create({ coolAppCode: 'cool-1', creatorUnionId: 'uA2', scheduleConferenceId: id, extensionAppBizData: 'deck=42', useExtensionApp: true });
    const link = res.body!.result!.customShortLink!;
    expect(link.startsWith(`${server.url}/l/`)).toBe(true);
    const hop = await fetch(link, { redirect: 'manual' });
    expect(hop.status).toBe(302);
    const target = new URL(hop.headers.get('location')!, server.url);
    expect(target.pathname).toBe('/app');
    expect(target.searchParams.get('coolAppCode')).toBe('cool-1');
    expect(target.searchParams.get('extensionAppBizData')).toBe('deck=42');
    const query = await sdk().queryScheduleConferenceWithOptions(
      id,
      new $conference.QueryScheduleConferenceRequest({ requestUnionId: 'uA1' }),
      new $conference.QueryScheduleConferenceHeaders({ xAcsDingtalkAccessToken: token }),
      runtime(),
    );
    const joinUrl = new URL(query.body!.url!);
    expect(target.searchParams.get('roomCode')).toBe(joinUrl.searchParams.get('roomCode'));
    expect(target.searchParams.get('token')).toBe(joinUrl.searchParams.get('token'));
    // Without useExtensionApp the link is the plain join link.
    const plain = (await create({ coolAppCode: 'cool-1', creatorUnionId: 'uA1', scheduleConferenceId: id })).body!.result!.customShortLink!;
    expect(new URL((await fetch(plain, { redirect: 'manual' })).headers.get('location')!, server.url).searchParams.has('coolAppCode')).toBe(false);
  });

  it('answers with the settings calls’ codes', async () => {
    const id = await booking();
    expect((await sdkError(create({ coolAppCode: 'c', creatorUnionId: 'uB1', scheduleConferenceId: id }))).code).toBe('userNotInOrg');
    expect((await sdkError(create({ coolAppCode: 'c', creatorUnionId: 'uA1', scheduleConferenceId: 'no-such-booking' }))).code).toBe('scheduleConferenceIdError');
    const beta = await appToken(server.endpoint, 'beta-app', 'b3ta');
    expect((await sdkError(create({ coolAppCode: 'c', creatorUnionId: 'uB1', scheduleConferenceId: id }, beta))).code).toBe('noPermission');
    expect((await sdkError(create({ creatorUnionId: 'uA1', scheduleConferenceId: id }))).code).toBe('paramError');
  });
});

describe('InviteUsers', () => {
  it('accepts an invitee without nick (the directory names them)', async () => {
    const id = await meeting();
    const request = new $conference.InviteUsersRequest({ inviteeList: [new $conference.InviteUsersRequestInviteeList({ unionId: 'uA3' })] });
    const res = await sdk().inviteUsersWithOptions(id, request, new $conference.InviteUsersHeaders({ xAcsDingtalkAccessToken: token }), runtime());
    expect(res.body!.success).toBe(true);
    const carol = (await memberModels(server.endpoint, token, id)).find((m) => m.unionId === 'uA3');
    expect(carol).toMatchObject({ userNick: 'Carol', attendStatus: 2 });
  });
});
