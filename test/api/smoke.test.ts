import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

describe('smoke', () => {
  it('creates a meeting with the official SDK', async () => {
    const token = await appToken(server.endpoint, 'acme-app', 's3cret');
    const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
      new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Weekly' }),
      confHeaders(token),
      runtime(),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body?.roomCode).toMatch(/^\d{11}$/);
  });
});
