import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await appToken(server.endpoint, 'acme-app', 's3cret');
});
afterAll(async () => server.stop());

async function createMeeting() {
  const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Admission' }),
    confHeaders(token),
    runtime(),
  );
  return res.body!;
}

/** POST /api/admit as a browser would, keeping the device cookie when given. */
async function admit(body: object, cookie?: string) {
  const res = await fetch(`${server.url}/api/admit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, setCookie: res.headers.get('set-cookie') };
}

describe('admission to a meeting room', () => {
  it('admits by link as participant, by passcode as participant, by host passcode as host', async () => {
    const m = await createMeeting();
    const link = new URL(m.externalLinkUrl!);
    const byLink = await admit({ roomCode: link.searchParams.get('roomCode'), token: link.searchParams.get('token') });
    expect(byLink.status).toBe(200);
    expect(byLink.body).toMatchObject({ conferenceId: m.conferenceId, title: 'Admission', role: 'participant' });
    expect(byLink.setCookie).toMatch(/vconf_device=[A-Za-z0-9_-]+;.*HttpOnly/i);

    const byCode = await admit({ roomCode: m.roomCode, passcode: m.conferencePassword });
    expect(byCode.body).toMatchObject({ conferenceId: m.conferenceId, role: 'participant' });
    const asHost = await admit({ roomCode: `${m.roomCode!.slice(0, 3)} ${m.roomCode!.slice(3)}`, passcode: m.hostPassword });
    expect(asHost.body).toMatchObject({ conferenceId: m.conferenceId, role: 'host' });
  });

  it('answers an unknown room code and a wrong passcode identically', async () => {
    const m = await createMeeting();
    const wrong = await admit({ roomCode: m.roomCode, passcode: '0000000000' });
    const unknown = await admit({ roomCode: '19999999999', passcode: m.conferencePassword });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestid: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.body.message).toBe('The room code or passcode is incorrect.');
  });

  it('refuses the 11th attempt from one browser even with the right passcode, but not the link', async () => {
    const m = await createMeeting();
    let cookie: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await admit({ roomCode: m.roomCode, passcode: `${1000000000 + i}` }, cookie);
      expect(r.status).toBe(401);
      cookie ??= /vconf_device=[^;]+/.exec(r.setCookie ?? '')?.[0];
    }
    const eleventh = await admit({ roomCode: m.roomCode, passcode: m.conferencePassword }, cookie);
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.code).toBe('tooManyAttempts');
    expect(eleventh.body.message).toMatch(/Try again in \d+ minutes?/);
    expect(eleventh.body.retryAfterSeconds).toBeGreaterThan(0);
    const link = new URL(m.externalLinkUrl!);
    const byLink = await admit({ roomCode: m.roomCode, token: link.searchParams.get('token') });
    expect(byLink.status).toBe(200);
    // Another meeting is not affected by this meeting's failures.
    const other = await createMeeting();
    expect((await admit({ roomCode: other.roomCode, passcode: other.conferencePassword })).status).toBe(200);
  });

  it('rejects a link whose token does not match, and malformed requests', async () => {
    const m = await createMeeting();
    const bad = await admit({ roomCode: m.roomCode, token: 'not-the-token' });
    expect(bad.status).toBe(404);
    expect(bad.body.code).toBe('linkInvalid');
    expect((await admit({ passcode: '1' })).status).toBe(400);
    expect((await admit({ roomCode: 'abc', passcode: '1' })).status).toBe(400);
    expect((await admit({ roomCode: m.roomCode })).status).toBe(400);
  });

  it('says a meeting has ended, by link and by passcode', async () => {
    const m = await createMeeting();
    await server.running.ctx.presence.end(m.conferenceId!);
    const link = new URL(m.externalLinkUrl!);
    const byLink = await admit({ roomCode: m.roomCode, token: link.searchParams.get('token') });
    expect(byLink.status).toBe(410);
    expect(byLink.body.message).toBe('This meeting has ended.');
    const byCode = await admit({ roomCode: m.roomCode, passcode: m.conferencePassword });
    expect(byCode.status).toBe(410);
  });
});
