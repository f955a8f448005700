/**
 * Finding 10: one app sustained ~265 creates/s, and meetings nobody joins lived forever. Now each
 * app has quotas of new meetings in its organization's limits, and an ad-hoc meeting nobody joined
 * within --unused-meeting-ttl ends like any other end (status, end time, conference_closed event).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directory } from '../support/fixtures.js';
import { RoomClient } from '../support/room-client.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { admitRaw } from './support.js';

let server: TestServer;

beforeAll(async () => {
  const doc = structuredClone(directory) as { orgs: Array<{ corpId: string; limits?: Record<string, number>; apps: Array<{ appKey: string }> }> };
  const small = doc.orgs.find((o) => o.corpId === 'dingsmall')!;
  small.limits = { ...small.limits, createsPerAppPerHour: 5, createsPerAppPerDay: 8 };
  small.apps.push({ appKey: 'small-app-2', appSecret: 'sm4ll-2', scopes: ['VideoConference.Conference.Write', 'VideoConference.Conference.Read'] } as never);
  // Events are recorded for organizations with a subscribed app (docs/events.md).
  const acme = doc.orgs.find((o) => o.corpId === 'dingacme')!;
  (acme.apps[0] as Record<string, unknown>).eventCallback = { url: 'http://127.0.0.1:9/events', secret: 'hostile-secret-of-16+' };
  server = await startTestServer({ directory: doc, config: { unusedMeetingTtlMs: 1500 } });
});
afterAll(async () => server.stop());

function create(token: string, userId = 'uS1') {
  return conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId, confTitle: 'Quota', inviteCaller: false }),
    confHeaders(token),
    runtime(),
  );
}

describe('hostile: quotas and expiry', () => {
  it('refuses the 6th meeting of an app within the hour with waterLimitError; another app has its own quota', async () => {
    const token = await appToken(server.endpoint, 'small-app', 'sm4ll');
    for (let i = 0; i < 5; i++) expect((await create(token)).body?.conferenceId).toBeTruthy();
    const refused = await sdkError(create(token));
    expect(refused.code).toBe('waterLimitError');
    expect(refused.message).toMatch(/5 new meetings per hour/);
    const other = await appToken(server.endpoint, 'small-app-2', 'sm4ll-2');
    expect((await create(other)).body?.conferenceId).toBeTruthy();
  });

  it('ends an ad-hoc meeting nobody joined within the TTL, with its event; a joined one lives on', async () => {
    const token = await appToken(server.endpoint, 'acme-app', 's3cret');
    const create = (title: string) =>
      conferenceClient(server.endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: title, inviteCaller: false }),
        confHeaders(token),
        runtime(),
      );
    const unused = (await create('Nobody comes')).body!;
    const used = (await create('Somebody comes')).body!;
    const a = await admitRaw(server, { roomCode: used.roomCode, passcode: used.conferencePassword });
    const inside = await RoomClient.enter(server.url, { ...a, cookie: a.device }, { name: 'Early bird' });
    expect(inside.participantId).toBeTruthy();
    const status = async (id: string) =>
      (
        await conferenceClient(server.endpoint).queryConferenceInfoWithOptions(
          id,
          new $conference.QueryConferenceInfoHeaders({ xAcsDingtalkAccessToken: token }),
          runtime(),
        )
      ).body!.confInfo!.status;
    expect(await status(unused.conferenceId!)).toBe(0);
    const deadline = Date.now() + 6000;
    while (Date.now() < deadline && (await status(unused.conferenceId!)) !== 1) await new Promise((r) => setTimeout(r, 200));
    expect(await status(unused.conferenceId!)).toBe(1);
    expect(await status(used.conferenceId!)).toBe(2);
    const events = await server.db.selectFrom('events').select(['event_type', 'change_scene']).where('conference_id', '=', unused.conferenceId!).execute();
    expect(events).toContainEqual({ event_type: 'meeting_status_change', change_scene: 'conference_closed' });
    // Its passcode now says the meeting ended.
    expect((await admitRaw(server, { roomCode: unused.roomCode, passcode: unused.conferencePassword })).status).toBe(410);
    inside.close();
  });
});
