import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError, memberModels } from '../support/sdk.js';

let server: TestServer;
let acme: string;
let beta: string;

beforeAll(async () => {
  server = await startTestServer();
  acme = await appToken(server.endpoint, 'acme-app', 's3cret');
  beta = await appToken(server.endpoint, 'beta-app', 'b3ta');
});
afterAll(async () => server.stop());

const client = () => conferenceClient(server.endpoint);

async function createMeeting(): Promise<string> {
  const res = await client().createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Invites', inviteUserIds: ['uA2'], inviteCaller: false }),
    confHeaders(acme),
    runtime(),
  );
  return res.body!.conferenceId!;
}

function invite(conferenceId: string, fields: Record<string, unknown>, token = acme) {
  const request = new $conference.InviteUsersRequest({});
  Object.assign(request, fields);
  return client().inviteUsersWithOptions(conferenceId, request, new $conference.InviteUsersHeaders({ xAcsDingtalkAccessToken: token }), runtime());
}

const members = (conferenceId: string) => memberModels(server.endpoint, acme, conferenceId);

describe('InviteUsers', () => {
  it('adds colleagues as called members, and calls a declined or departed member again', async () => {
    const id = await createMeeting();
    const res = await invite(id, { unionId: 'uA1', inviteeList: [{ unionId: 'uA3', nick: 'Carol' }, { unionId: 'uA3', nick: 'Carol' }] });
    expect(res.statusCode).toBe(200);
    expect(res.body?.success).toBe(true);
    const list = await members(id);
    const carol = list.filter((m) => m.unionId === 'uA3');
    expect(carol).toHaveLength(1);
    expect(carol[0]!.attendStatus).toBe(2);
    expect(carol[0]!.userNick).toBe('Carol');

    const organizer = list.find((m) => m.unionId === 'uA1')!;
    expect(organizer.attendStatus).toBe(1);
    await invite(id, { inviteeList: [{ unionId: 'uA1', nick: 'Alice' }] });
    expect((await members(id)).find((m) => m.unionId === 'uA1')!.attendStatus).toBe(2);
    expect((await members(id)).filter((m) => m.unionId === 'uA1')).toHaveLength(1);
  });

  it('refuses unknown people, other organizations, phone invitations and empty lists, writing nothing', async () => {
    const id = await createMeeting();
    const before = await members(id);
    const unknown = await sdkError(invite(id, { inviteeList: [{ unionId: 'uA3' }, { unionId: 'nobody' }] }));
    expect([unknown.statusCode, unknown.code]).toEqual([400, 'unknownUserError']);
    const foreign = await sdkError(invite(id, { inviteeList: [{ unionId: 'uB1' }] }));
    expect([foreign.statusCode, foreign.code]).toEqual([400, 'orgAccessForbidden']);
    const phone = await sdkError(invite(id, { phoneInviteeList: [{ phoneNumber: '+8613800000000', nick: 'Phone' }] }));
    expect([phone.statusCode, phone.code]).toEqual([400, 'paramsError']);
    expect(phone.message).toContain('phone invitations are not available');
    const empty = await sdkError(invite(id, { inviteeList: [] }));
    expect([empty.statusCode, empty.code]).toEqual([400, 'paramsError']);
    const badType = await sdkError(invite(id, { inviteeList: 'uA3' }));
    expect([badType.statusCode, badType.code]).toEqual([400, 'paramsError']);
    expect(await members(id)).toEqual(before);
  });

  it('refuses another organization’s token, unknown and ended meetings', async () => {
    const id = await createMeeting();
    const wrongOrg = await sdkError(invite(id, { inviteeList: [{ unionId: 'uB1' }] }, beta));
    expect([wrongOrg.statusCode, wrongOrg.code]).toEqual([400, 'orgAccessForbidden']);
    const missing = await sdkError(invite('ffffffffffffffffffffffff', { inviteeList: [{ unionId: 'uA3' }] }));
    expect([missing.statusCode, missing.code]).toEqual([400, 'paramsError']);
    await server.running.ctx.presence.end(id);
    const ended = await sdkError(invite(id, { inviteeList: [{ unionId: 'uA3' }] }));
    expect([ended.statusCode, ended.code]).toEqual([400, 'resourceClose']);
  });
});
