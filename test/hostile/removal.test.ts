/**
 * Finding 11: a removed guest walked back in with a fresh browser (the bar was the device cookie).
 * Now a removal binds the person: a signed-in user by identity, a guest by browser and, for an
 * hour, by network against browsers first seen after the removal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomClient } from '../support/room-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { acmeToken, admitRaw, createMeeting } from './support.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: { trustProxy: ['127.0.0.1'] } });
});
afterAll(async () => server.stop());

const from = (address: string, cookie?: string) => ({ 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) });

async function enter(m: { roomCode?: string; conferencePassword?: string; hostPassword?: string }, address: string, opts: { host?: boolean; cookie?: string; name: string }) {
  const a = await admitRaw(server, { roomCode: m.roomCode, passcode: opts.host ? m.hostPassword : m.conferencePassword }, from(address, opts.cookie));
  expect(a.status).toBe(200);
  const cookie = [a.device, opts.cookie].filter(Boolean).join('; ');
  return { client: await RoomClient.enter(server.url, { ...a, cookie }, { name: opts.name }), device: a.device };
}

describe('hostile: removal binds the person', () => {
  it('keeps a removed guest out with a fresh browser from their network; colleagues known before still enter', async () => {
    const token = await acmeToken(server);
    const m = await createMeeting(server, token);
    const office = '203.0.113.9';
    // A colleague in the same office whose browser was here before (another meeting, yesterday).
    const earlier = await createMeeting(server, token);
    const colleague = await admitRaw(server, { roomCode: earlier.roomCode, passcode: earlier.conferencePassword }, from(office));
    const host = await enter(m, '198.51.100.1', { host: true, name: 'Host' });
    const guest = await enter(m, office, { name: 'Troll' });
    host.client.send({ type: 'remove', participantId: guest.client.participantId });
    expect(await guest.client.closed).toBe(4001);

    // The troll: same browser, then a fresh one (passcode and link) from the same network.
    const same = await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword }, from(office, guest.device));
    expect(same.body.code, JSON.stringify(same)).toBe('removed');
    const fresh = await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword }, from(office));
    expect([fresh.status, fresh.body.code]).toEqual([403, 'removed']);
    const link = new URL(m.externalLinkUrl!);
    const byLink = await admitRaw(server, { roomCode: m.roomCode, token: link.searchParams.get('token') }, from(office));
    expect(byLink.body.code).toBe('removed');
    // The colleague's browser was known before the removal; people elsewhere are not affected.
    expect((await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword }, from(office, colleague.device))).status).toBe(200);
    expect((await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword }, from('192.0.2.44'))).status).toBe(200);
    host.client.close();
  });

  it('bars a removed signed-in user by identity, from any browser and network', async () => {
    const token = await acmeToken(server);
    const m = await createMeeting(server, token);
    const ctx = server.running.ctx;
    const session = `vconf_session=${ctx.accounts.sessions.sign({ corpId: 'dingacme', unionId: 'uA2', name: 'Bob', exp: Date.now() + 3600_000 })}`;
    const host = await enter(m, '198.51.100.2', { host: true, name: 'Host' });
    const bob = await enter(m, '192.0.2.60', { name: 'Bob', cookie: session });
    host.client.send({ type: 'remove', participantId: bob.client.participantId });
    expect(await bob.client.closed).toBe(4001);
    // Bob signs in on a new device elsewhere: still removed.
    const again = await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword }, from('2001:db8:99::1', session));
    expect([again.status, again.body.code]).toEqual([403, 'removed']);
    host.client.close();
  });
});
