/** `welcome.ice`: the TURN servers with each participant's own short-lived credential, and the ICE policy. */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admit, linkToken, RoomClient } from '../support/room-client.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'welcome-ice-secret';
const TURN_URLS = ['turn:turn.example.test:3478?transport=udp', 'turns:turn.example.test:443?transport=tcp'];
let withTurn: TestServer;
let plain: TestServer;

beforeAll(async () => {
  [withTurn, plain] = await Promise.all([
    startTestServer({ config: { turn: { urls: TURN_URLS, secret: SECRET, ttlMs: 3600_000 }, iceTransportPolicy: 'relay' } }),
    startTestServer(),
  ]);
});
afterAll(async () => Promise.all([withTurn?.stop(), plain?.stop()]));

async function enter(server: TestServer, name: string): Promise<RoomClient> {
  const token = await appToken(server.endpoint, 'acme-app', 's3cret');
  const m = (
    await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
      new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'ICE' }),
      confHeaders(token),
      runtime(),
    )
  ).body!;
  return RoomClient.enter(server.url, await admit(server.url, linkToken(m.externalLinkUrl!)), { name });
}

describe('welcome.ice', () => {
  it('hands each participant the TURN URLs with its own credential (coturn use-auth-secret), expiring after --turn-ttl, and the relay policy', async () => {
    const before = Math.floor(Date.now() / 1000);
    const [a, b] = [await enter(withTurn, 'Ann'), await enter(withTurn, 'Ben')];
    const ices = [a, b].map((c) => c.last('welcome')!.ice as { iceServers: Array<{ urls: string[]; username: string; credential: string }>; iceTransportPolicy: string });
    for (const [i, ice] of ices.entries()) {
      const participantId = [a, b][i]!.participantId;
      expect(ice.iceTransportPolicy).toBe('relay');
      expect(ice.iceServers).toHaveLength(1);
      const server = ice.iceServers[0]!;
      expect(server.urls).toEqual(TURN_URLS);
      const [expiry, who] = server.username.split(':');
      expect(who).toBe(participantId);
      expect(Number(expiry)).toBeGreaterThanOrEqual(before + 3600);
      expect(Number(expiry)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3600);
      // What coturn computes from its static-auth-secret to check the password.
      expect(server.credential).toBe(createHmac('sha1', SECRET).update(server.username).digest('base64'));
    }
    expect(ices[0]!.iceServers[0]!.credential).not.toBe(ices[1]!.iceServers[0]!.credential);
    // The secret itself never goes to a page.
    expect(JSON.stringify([a.frames, b.frames])).not.toContain(SECRET);
    a.close();
    b.close();
  });

  it('without --turn-url: no ICE servers and the "all" policy', async () => {
    const c = await enter(plain, 'Cy');
    expect(c.last('welcome')!.ice).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
    c.close();
  });
});
