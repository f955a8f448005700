/**
 * Issue 10 §2, §3, §5, §6 at the protocol level (signaling participants without media; the same in
 * Chromium is test/e2e/room-host-tools.test.ts): the host's tools in the room run the API's own
 * operations (one state, read back through the official SDK), the waiting room and knocking at a
 * locked meeting, hands and reactions, the invite details, and presence that tells the truth.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { $conference, conferenceClient, confHeaders, fixtureTokens, runtime } from '../support/sdk.js';
import { admit, linkToken, RoomClient, type Admitted, type Frame } from '../support/room-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
const clients: RoomClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  [token] = await fixtureTokens(server.endpoint);
  // Short presence timings so the vanishing cases take a second, not twenty.
  server.running.ctx.rooms.presenceTimings = { pingMs: 200, staleMs: 600, goneMs: 1500, graceMs: 1000 };
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => server?.stop());

type Created = { conferenceId: string; roomCode: string; externalLinkUrl: string; hostPassword: string; conferencePassword: string };

const sdk = () => conferenceClient(server.endpoint);

async function createMeeting(): Promise<Created> {
  const res = await sdk().createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Host tools' }), confHeaders(token), runtime());
  return res.body as Created;
}

async function admitted(m: Created, as: 'link' | 'host' = 'link', extra: { cookie?: string; knock?: boolean } = {}): Promise<Admitted> {
  const request = as === 'link' ? linkToken(m.externalLinkUrl) : { roomCode: m.roomCode, passcode: m.hostPassword };
  const a = await admit(server.url, { ...request, ...(extra.knock ? { knock: true } : {}) } as never, extra.cookie);
  return a;
}

async function enter(m: Created, name: string, as: 'link' | 'host' = 'link', opts: { knock?: boolean; cookie?: string } = {}): Promise<RoomClient> {
  const a = await admitted(m, as, opts);
  expect(a.status).toBe(200);
  const c = await RoomClient.enter(server.url, a, { name, ...(opts.knock ? { knock: true } : {}) });
  clients.push(c);
  return c;
}

async function members(conferenceId: string) {
  const res = await sdk().queryConferenceMembersWithOptions(conferenceId, new $conference.QueryConferenceMembersRequest({}), confHeaders(token), runtime());
  return res.body!.memberModels ?? [];
}

/** The first frame of `type` matching, received at any time (from index `from` on). */
const seen = (c: RoomClient, type: string, match: (f: Frame) => boolean = () => true, timeoutMs = 3000, from = 0) =>
  c.next((f) => f.type === type && match(f), timeoutMs, from);

const updatedWith = (id: string, check: (p: Record<string, unknown>) => boolean) => (f: Frame) =>
  f.type === 'participant-updated' && (f.participant as { participantId: string }).participantId === id && check(f.participant as Record<string, unknown>);

describe('host tools in the room share one state with the API', () => {
  it('mute all, lifted through the SDK; co-host, seen by QueryConferenceMembers; lock; spotlight; who may', async () => {
    const m = await createMeeting();
    const host = await enter(m, 'Hana', 'host');
    const guest = await enter(m, 'Gus');
    const other = await enter(m, 'Olga');

    // Mute all without self-unmute: both guests are muted and held.
    host.send({ type: 'mute-all', allowUnmuteSelf: false });
    expect(await seen(guest, 'muted')).toMatchObject({ reason: 'muteAll' });
    await seen(other, 'muted');
    await seen(guest, 'settings', (f) => f.muteAll === true && f.canUnmute === false);
    // The API sees the room's mute all, and lifts it: the pages hear it.
    await sdk().updateVideoConferenceSettingWithOptions(m.conferenceId, new $conference.UpdateVideoConferenceSettingRequest({ muteAll: false }), confHeaders(token), runtime());
    await seen(guest, 'settings', (f) => f.muteAll === false && f.canUnmute === true);

    // A participant may not use host tools.
    guest.send({ type: 'lock', locked: true });
    expect(await seen(guest, 'error')).toMatchObject({ code: 'notHost' });

    // Co-host from the room: the member record says so.
    host.send({ type: 'cohost', participantId: guest.participantId, on: true });
    await seen(host, 'participant-updated', (f) => (f.participant as { role: string }).role === 'cohost');
    const record = (await members(m.conferenceId)).find((x) => x.userNick === 'Gus');
    expect(record?.coHost).toBe(true);
    // A co-host locks and spotlights, but may not choose co-hosts.
    const errorsBefore = guest.frames.length;
    guest.send({ type: 'cohost', participantId: other.participantId, on: true });
    expect(await seen(guest, 'error', () => true, 3000, errorsBefore)).toMatchObject({ code: 'notHost' });
    guest.send({ type: 'lock', locked: true });
    await seen(other, 'settings', (f) => f.locked === true);
    const refused = await admitted(m);
    expect([refused.status, refused.body.code]).toEqual([423, 'meetingLocked']);
    host.send({ type: 'lock', locked: false });
    await seen(other, 'settings', (f) => f.locked === false);
    expect((await admitted(m)).status).toBe(200);

    host.send({ type: 'spotlight', participantId: other.participantId });
    await seen(guest, 'focus', (f) => f.participantId === other.participantId);
    const focusedAt = guest.frames.length;
    host.send({ type: 'spotlight', participantId: null });
    expect(await seen(guest, 'focus', () => true, 3000, focusedAt)).toMatchObject({ participantId: null });
  });

  it('sends the invite details; the host passcode only to hosts', async () => {
    const m = await createMeeting();
    const host = await enter(m, 'Hana', 'host');
    const guest = await enter(m, 'Gus');
    expect(host.last('invite')).toEqual({ type: 'invite', link: m.externalLinkUrl, roomCode: m.roomCode, passcode: m.conferencePassword, hostPasscode: m.hostPassword });
    expect(guest.last('invite')).toEqual({ type: 'invite', link: m.externalLinkUrl, roomCode: m.roomCode, passcode: m.conferencePassword });
    expect(typeof (guest.last('welcome')!.meeting as { startedAt: number }).startedAt).toBe('number');
  });
});

describe('waiting room and knocking', () => {
  it('a locked meeting: knock, admitted on the same socket; another denied and told', async () => {
    const m = await createMeeting();
    const host = await enter(m, 'Hana', 'host');
    host.send({ type: 'lock', locked: true });
    await seen(host, 'settings', (f) => f.locked === true);

    // Without asking to knock, the door stays shut; asking gets a ticket and a place at the door.
    expect((await admitted(m)).status).toBe(423);
    const knocker = await enter(m, 'Kim', 'link', { knock: true });
    expect(knocker.frames.at(-1)).toEqual({ type: 'waiting' });
    const knocks = await seen(host, 'knocks', (f) => (f.knocks as unknown[]).length === 1);
    const { knockId, name } = (knocks.knocks as Array<{ knockId: string; name: string }>)[0]!;
    expect(name).toBe('Kim');
    host.send({ type: 'admit', knockId });
    const welcome = await seen(knocker, 'welcome');
    const kimId = (welcome.you as { participantId: string }).participantId;
    await seen(host, 'participant-joined', (f) => (f.participant as { participantId: string }).participantId === kimId);
    expect((await members(m.conferenceId)).find((x) => x.userNick === 'Kim')?.attendStatus).toBe(3);

    const second = await enter(m, 'Dan', 'link', { knock: true });
    const list = await seen(host, 'knocks', (f) => (f.knocks as Array<{ name: string }>).some((k) => k.name === 'Dan'));
    host.send({ type: 'deny', knockId: (list.knocks as Array<{ knockId: string }>)[0]!.knockId });
    expect(await seen(second, 'denied')).toEqual({ type: 'denied' });
    expect(await second.closed).toBe(4006);
    // A knocker may not answer knocks (only hosts and co-hosts see them at all).
    expect(knocker.frames.some((f) => f.type === 'knocks')).toBe(false);
  });

  it('the waiting room: newcomers wait without asking; turning it off lets everyone waiting in', async () => {
    const m = await createMeeting();
    const host = await enter(m, 'Hana', 'host');
    host.send({ type: 'waiting-room', on: true });
    await seen(host, 'settings', (f) => f.waitingRoom === true);
    const a = await enter(m, 'Ada');
    expect(a.frames.at(-1)).toEqual({ type: 'waiting' });
    await seen(host, 'knocks', (f) => (f.knocks as unknown[]).length === 1);
    // Hosts never wait.
    const host2 = await enter(m, 'Hugo', 'host');
    expect(host2.last('welcome')).toBeDefined();
    host.send({ type: 'waiting-room', on: false });
    await seen(a, 'welcome');
    await seen(host, 'knocks', (f) => (f.knocks as unknown[]).length === 0);
  });
});

describe('etiquette', () => {
  it('hands go up in order, the host lowers one; reactions reach everyone; co-hosts lower hands too', async () => {
    const m = await createMeeting();
    const host = await enter(m, 'Hana', 'host');
    const a = await enter(m, 'Ada');
    const b = await enter(m, 'Bo');
    b.send({ type: 'hand', raised: true });
    const bHand = await seen(host, 'participant-updated', (f) => (f.participant as { hand: number | null }).hand !== null);
    a.send({ type: 'hand', raised: true });
    const aHand = await seen(host, 'participant-updated', (f) => (f.participant as { participantId: string; hand: number | null }).participantId === a.participantId && (f.participant as { hand: number | null }).hand !== null);
    expect((bHand.participant as { hand: number }).hand).toBeLessThan((aHand.participant as { hand: number }).hand);
    // A participant may not lower someone else's hand.
    a.send({ type: 'lower-hand', participantId: b.participantId });
    expect(await seen(a, 'error')).toMatchObject({ code: 'notHost' });
    host.send({ type: 'lower-hand', participantId: b.participantId });
    await seen(a, 'participant-updated', updatedWith(b.participantId, (p) => p.hand === null));
    expect(await seen(b, 'hand-lowered')).toMatchObject({ by: host.participantId });

    a.send({ type: 'reaction', emoji: '👏' });
    for (const c of [host, a, b]) expect(await seen(c, 'reaction')).toEqual({ type: 'reaction', participantId: a.participantId, emoji: '👏' });
    // Only the fixed set: anything else is dropped.
    a.send({ type: 'reaction', emoji: 'spam' });
    a.send({ type: 'reaction', emoji: '🎉' });
    await seen(host, 'reaction', (f) => f.emoji === '🎉');
    expect(host.frames.filter((f) => f.type === 'reaction').map((f) => f.emoji)).toEqual(['👏', '🎉']);
  });
});

describe('presence that tells the truth', () => {
  it('a dropped socket shows reconnecting and comes back without leave + join', async () => {
    const m = await createMeeting();
    const host = await enter(m, 'Hana', 'host');
    const a = await enter(m, 'Ada');
    await seen(host, 'participant-joined');
    const from = host.frames.length;
    a.terminate();
    await seen(host, 'participant-updated', updatedWith(a.participantId, (p) => p.reconnecting === true));
    const back = await RoomClient.enter(server.url, await admitted(m, 'link', { cookie: a.cookie }), { name: 'Ada', participantId: a.participantId });
    clients.push(back);
    expect(back.participantId).toBe(a.participantId);
    await seen(host, 'participant-updated', updatedWith(a.participantId, (p) => p.reconnecting === false), 3000, from);
    const types = host.frames.slice(from).map((f) => f.type);
    expect(types).not.toContain('participant-left');
    expect(types).not.toContain('participant-joined');
  });

  it('a socket that never comes back leaves after the grace; one that stops answering shows reconnecting, then leaves', async () => {
    const m = await createMeeting();
    const host = await enter(m, 'Hana', 'host');
    const a = await enter(m, 'Ada');
    a.terminate();
    await seen(host, 'participant-updated', updatedWith(a.participantId, (p) => p.reconnecting === true));
    await seen(host, 'participant-left', (f) => f.participantId === a.participantId, 3000);

    // A page that stops answering pings (its browser stopped): reconnecting first, then gone.
    const b = await enter(m, 'Bo');
    b.freeze();
    const t0 = Date.now();
    await seen(host, 'participant-updated', updatedWith(b.participantId, (p) => p.reconnecting === true), 3000);
    await seen(host, 'participant-left', (f) => f.participantId === b.participantId, 4000);
    expect(Date.now() - t0).toBeLessThan(4000);
    const record = (await members(m.conferenceId)).find((x) => x.userNick === 'Bo');
    expect(record?.attendStatus).toBe(6);
  });

  it('a second connection of the same browser takes the participant over; the first is told', async () => {
    const m = await createMeeting();
    const host = await enter(m, 'Hana', 'host');
    const first = await enter(m, 'Ada');
    await seen(host, 'participant-joined');
    // The second tab: the same browser (cookie) admitted again, with no participantId of its own.
    const second = await RoomClient.enter(server.url, await admitted(m, 'link', { cookie: first.cookie }), { name: 'Ada' });
    clients.push(second);
    expect(second.participantId).toBe(first.participantId);
    expect(await first.closed).toBe(4000);
    expect(host.frames.filter((f) => f.type === 'participant-joined')).toHaveLength(1);
    expect(host.frames.some((f) => f.type === 'participant-left')).toBe(false);
  });
});
