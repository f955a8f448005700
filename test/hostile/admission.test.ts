/**
 * Finding 2: 500 sockets on one ticket were all welcomed (maxParticipantsPerMeeting was checked only
 * at create), and 30 fake participants of one meeting took all 60 UDP ports of --rtc-ports, so a user
 * of another meeting got a publish-answer without any candidate. Now one ticket is one live
 * connection, the organization's limit holds in the room ("meeting is full"), and each meeting
 * gets a share of the ports ("server is full" instead of a silent failure).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomClient, type Admitted } from '../support/room-client.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { acmeToken, admitRaw, createMeeting } from './support.js';

const offer = readFileSync(new URL('../rtc/chromium-publish-offer.sdp', import.meta.url), 'utf8');
let server: TestServer;

beforeAll(async () => {
  // 20 media ports: one meeting may hold 15 of them (7 participants × 2).
  const low = 30000 + 20 * Math.floor(Math.random() * 500);
  server = await startTestServer({ config: { rtcPorts: [low, low + 19] } });
});
afterAll(async () => server.stop());

async function guest(m: { roomCode?: string; conferencePassword?: string }): Promise<Admitted> {
  const a = await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword });
  return { status: a.status, body: a.body, cookie: a.device };
}

describe('hostile: admission counts live participants', () => {
  it('lets one ticket hold one live connection: 20 sockets on it make one participant', async () => {
    const m = await createMeeting(server, await acmeToken(server));
    const ticket = await guest(m);
    const clients: RoomClient[] = [];
    for (let i = 0; i < 20; i++) clients.push(await RoomClient.enter(server.url, ticket, { name: `Copy ${i}` }));
    const room = server.running.ctx.rooms.live(m.conferenceId!)!;
    expect(room.size).toBe(1);
    expect(new Set(clients.map((c) => c.participantId)).size).toBe(1);
    // Every earlier socket was replaced (4000) by the next one.
    for (const c of clients.slice(0, -1)) expect(await c.closed).toBe(4000);
    clients.at(-1)!.close();
  });

  it("refuses the participant above the organization's maxParticipantsPerMeeting with meetingFull", async () => {
    // Small Corp allows 3 people per meeting.
    const token = await appToken(server.endpoint, 'small-app', 'sm4ll');
    const m = (
      await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uS1', confTitle: 'Small', inviteCaller: false }),
        confHeaders(token),
        runtime(),
      )
    ).body!;
    const inside: RoomClient[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await RoomClient.enter(server.url, await guest(m), { name: `Guest ${i}` });
      expect(c.participantId, JSON.stringify(c.frames)).toBeTruthy();
      inside.push(c);
    }
    const fourth = await RoomClient.enter(server.url, await guest(m), { name: 'One too many' });
    expect(fourth.last('error')).toMatchObject({ code: 'meetingFull' });
    expect(await fourth.closed).toBe(4003);
    // The host still gets in, so the meeting can be run.
    const host = await admitRaw(server, { roomCode: m.roomCode, passcode: m.hostPassword });
    const h = await RoomClient.enter(server.url, { ...host, cookie: host.device }, { name: 'Host' });
    expect(h.participantId).toBeTruthy();
    // The host counts too (4 people now); when two leave, a newcomer fits again.
    for (const c of inside.slice(0, 2)) {
      c.close();
      await c.closed;
    }
    await new Promise((r) => setTimeout(r, 100));
    const later = await RoomClient.enter(server.url, await guest(m), { name: 'Later' });
    expect(later.participantId).toBeTruthy();
    for (const c of [...inside, h, later]) c.close();
    await Promise.all([...inside, h, later].map((c) => c.closed));
    for (let i = 0; i < 50 && server.running.ctx.rooms.live(m.conferenceId!); i++) await new Promise((r) => setTimeout(r, 20));
  });

  it('holds one meeting to its port share: others still get candidates, and the excess hears serverFull', async () => {
    const token = await acmeToken(server);
    const hog = await createMeeting(server, token, 'Port hog');
    const victim = await createMeeting(server, token, 'Victim');
    const fakes: RoomClient[] = [];
    const refused: string[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await RoomClient.enter(server.url, await guest(hog), { name: `Fake ${i}` });
      if (!c.participantId) {
        refused.push(String(c.last('error')?.code));
        continue;
      }
      fakes.push(c);
      c.send({ type: 'publish', sdp: offer, tracks: [{ mid: '0', source: 'mic' }] });
      await c.nextOf('publish-answer', () => true, 5000).catch(() => undefined);
    }
    expect(fakes.length).toBe(7);
    expect(refused).toEqual(['serverFull', 'serverFull', 'serverFull', 'serverFull', 'serverFull']);
    // A user of another meeting publishes and gets an answer with candidates.
    const user = await RoomClient.enter(server.url, await guest(victim), { name: 'Victim' });
    expect(user.participantId, JSON.stringify(user.frames)).toBeTruthy();
    user.send({ type: 'publish', sdp: offer, tracks: [{ mid: '0', source: 'mic' }] });
    const answer = await user.nextOf('publish-answer', () => true, 5000);
    expect(String(answer.sdp)).toMatch(/^a=candidate:/m);
    for (const c of [...fakes, user]) c.close();
  });
});
