/** A restart on the same data directory keeps every meeting and every token. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, $oauth2, appToken, conferenceClient, confHeaders, oauthClient, runtime } from '../support/sdk.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

async function create(token: string, fields: Record<string, unknown>) {
  const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest(fields),
    confHeaders(token),
    runtime(),
  );
  return res.body!;
}

async function query(token: string, conferenceId: string) {
  const res = await conferenceClient(server.endpoint).queryConferenceInfoWithOptions(
    conferenceId,
    new $conference.QueryConferenceInfoHeaders({ xAcsDingtalkAccessToken: token }),
    runtime(),
  );
  return res.body!.confInfo!;
}

describe('restart', () => {
  it('keeps tokens and meetings unchanged', async () => {
    const acme = await appToken(server.endpoint, 'acme-app', 's3cret');
    const beta = await appToken(server.endpoint, 'beta-app', 'b3ta');
    const suite = (
      await oauthClient(server.endpoint).getCorpAccessToken(
        new $oauth2.GetCorpAccessTokenRequest({ authCorpId: 'dingacme', suiteKey: 'isv-1', suiteSecret: 'isv-secret', suiteTicket: 'ticket-1' }),
      )
    ).body!.accessToken!;

    const meetings = [
      { token: acme, created: await create(acme, { userId: 'uA1', confTitle: 'Weekly', inviteUserIds: ['uA2', 'uA3'] }) },
      { token: acme, created: await create(acme, { userId: 'uA2', confTitle: 'x'.repeat(80), inviteCaller: false }) },
      { token: acme, created: await create(suite, { userId: 'uA3', confTitle: '周会 🎉' }) },
      { token: beta, created: await create(beta, { userId: 'uShared', confTitle: 'Beta sync', inviteUserIds: ['uB1'] }) },
    ];
    const before = await Promise.all(meetings.map((m) => query(m.token, m.created.conferenceId!)));

    await server.restart();

    // Every token still works, and asking again returns the same internal-app token.
    expect(await appToken(server.endpoint, 'acme-app', 's3cret')).toBe(acme);
    const after = await Promise.all(meetings.map((m) => query(m.token, m.created.conferenceId!)));
    expect(after).toEqual(before);
    for (const [i, m] of meetings.entries()) {
      expect(after[i]).toMatchObject({ roomCode: m.created.roomCode, externalLinkUrl: m.created.externalLinkUrl });
    }
    expect((await create(suite, { userId: 'uA1', confTitle: 'After restart' })).roomCode).toMatch(/^\d{11}$/);
    expect((await create(beta, { userId: 'uB1', confTitle: 'After restart' })).roomCode).toMatch(/^\d{11}$/);
  });
});
