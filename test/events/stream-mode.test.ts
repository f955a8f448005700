/**
 * Issue 13 §1: DingTalk's Stream mode. The official `dingtalk-stream` client, with only its gateway
 * address pointed at vconf, connects and receives the conference events of a create, a join and a
 * close, in order; an event it answers LATER comes again; events stored while no client is
 * connected wait for one.
 */
import { EventAck, type DWClientDownStream } from 'dingtalk-stream';
import { VconfStreamClient } from '../support/stream-client.js';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { directory as baseDirectory } from '../support/fixtures.js';
import { admit, linkToken, RoomClient } from '../support/room-client.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { deliveryLog, deliveryStates } from '../support/outbox-peek.js';

interface Received {
  headers: DWClientDownStream['headers'];
  data: { conferenceId: string; changeScene: string; statusSeqNum: number; [k: string]: unknown };
  answered: EventAck;
}

function directory() {
  const doc = structuredClone(baseDirectory) as typeof baseDirectory;
  const acme = doc.orgs.find((o) => o.corpId === 'dingacme')!;
  acme.apps = acme.apps.map((a) => (a.appKey === 'acme-app' ? { ...a, eventStream: {} } : a));
  return doc;
}

let server: TestServer;
let token: string;
const clients: VconfStreamClient[] = [];
const rooms: RoomClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ directory: directory(), config: { eventRetryScheduleMs: [100, 200, 400], eventPollMs: 50, eventStreamPingMs: 150, eventStreamAckMs: 300 } });
  token = await appToken(server.endpoint, 'acme-app', 's3cret');
});
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const r of rooms.splice(0)) r.close();
});
afterAll(async () => server?.stop());

/** Connects the official client; `answer` decides each acknowledgement. */
async function connect(answer: (m: Received) => EventAck = () => EventAck.SUCCESS): Promise<Received[]> {
  const got: Received[] = [];
  const client = new VconfStreamClient(server.url, { clientId: 'acme-app', clientSecret: 's3cret' });
  client.registerAllEventListener((msg) => {
    const r: Received = { headers: msg.headers, data: JSON.parse(msg.data) as Received['data'], answered: EventAck.SUCCESS };
    r.answered = answer(r);
    got.push(r);
    return { status: r.answered };
  });
  clients.push(client);
  await client.connect();
  expect(client.connected).toBe(true);
  return got;
}

const sdk = () => conferenceClient(server.endpoint);

async function create(): Promise<{ conferenceId: string; externalLinkUrl: string }> {
  const res = await sdk().createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Stream', inviteCaller: false }),
    confHeaders(token),
    runtime(),
  );
  return res.body as { conferenceId: string; externalLinkUrl: string };
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ofMeeting = (got: Received[], id: string) => got.filter((r) => r.data.conferenceId === id);

describe('Stream mode with the official dingtalk-stream client', () => {
  it('delivers a meeting’s events in order with DingTalk’s headers, and an event answered LATER again', async () => {
    let deferred = false;
    const got = await connect((m) => {
      if (m.data.changeScene === 'conference_created' && !deferred) {
        deferred = true;
        return EventAck.LATER;
      }
      return EventAck.SUCCESS;
    });
    const m = await create();
    const admitted = await admit(server.url, linkToken(m.externalLinkUrl));
    const guest = await RoomClient.enter(server.url, admitted, { name: 'Guest' });
    rooms.push(guest);
    await until(() => ofMeeting(got, m.conferenceId).some((r) => r.data.changeScene === 'user_join'), 'user_join');
    await sdk().closeVideoConferenceWithOptions(m.conferenceId, new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }), confHeaders(token), runtime());
    await until(() => ofMeeting(got, m.conferenceId).some((r) => r.data.changeScene === 'conference_closed'), 'conference_closed');

    const mine = ofMeeting(got, m.conferenceId);
    // The first conference_created was answered LATER: the same event came again, then the rest in order.
    expect(mine.map((r) => [r.data.changeScene, r.answered])).toEqual([
      ['conference_created', EventAck.LATER],
      ['conference_created', EventAck.SUCCESS],
      ['user_join', EventAck.SUCCESS],
      ['user_leave', EventAck.SUCCESS],
      ['conference_closed', EventAck.SUCCESS],
    ]);
    expect(mine[0]!.headers.eventId).toBe(mine[1]!.headers.eventId);
    expect(mine[0]!.headers.messageId).not.toBe(mine[1]!.headers.messageId);
    expect(mine.slice(1).map((r) => r.data.statusSeqNum)).toEqual([1, 2, 3, 4]);
    for (const r of mine) {
      expect(r.headers).toMatchObject({
        // The client subscribed to EVENT "*": the frames answer that subscription.
        topic: '*',
        eventCorpId: 'dingacme',
        eventUnifiedAppId: 'acme-app',
        contentType: 'application/json',
      });
      expect(r.headers.eventType).toBe(r.data.changeScene.startsWith('conference') ? 'meeting_status_change' : 'meeting_member_status_change');
      expect(Number(r.headers.eventBornTime)).toBeGreaterThan(0);
    }
    expect((mine[2]!.data.openMemberModels as Array<{ userNick: string }>)[0]!.userNick).toBe('Guest');
    expect((mine[4]!.data.openConfModel as { status: number }).status).toBe(1);
    // The attempt answered LATER is in the delivery log like a failed HTTP callback.
    const log = await deliveryLog(server.db, mine[0]!.headers.eventId!);
    expect(log.map((l) => l.error)).toEqual(['the client answered LATER', null]);
  });

  it('keeps events while no client is connected and delivers them once one connects', async () => {
    const m = await create();
    await new Promise((r) => setTimeout(r, 300));
    const states = await deliveryStates(server.db, 'acme-app');
    expect([...states.values()].filter((s) => s === 'pending').length).toBeGreaterThan(0);
    const got = await connect();
    await until(() => ofMeeting(got, m.conferenceId).length === 1, 'the stored conference_created');
    expect(ofMeeting(got, m.conferenceId)[0]!.data.changeScene).toBe('conference_created');
  });

  it('refuses wrong credentials and a used ticket; pings SYSTEM-wise and closes a client that does not echo them', async () => {
    const open = (secret: string) =>
      fetch(`${server.url}/v1.0/gateway/connections/open`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'acme-app', clientSecret: secret, subscriptions: [{ type: 'EVENT', topic: '*' }] }),
      });
    const bad = await open('wrong');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('invalidClientIdOrSecret');
    const { endpoint, ticket } = (await (await open('s3cret')).json()) as { endpoint: string; ticket: string };
    expect(endpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\.0\/gateway\/stream$/);
    const first = new WebSocket(`${endpoint}?ticket=${ticket}`);
    await new Promise((resolve, reject) => first.once('open', resolve).once('error', reject));
    const second = new WebSocket(`${endpoint}?ticket=${ticket}`);
    const refused = await new Promise<number>((resolve) => second.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(refused).toBe(401);

    // A client that reads the SYSTEM ping but does not echo it is closed at the next one.
    const frames: Array<{ type: string; headers: { topic: string }; data: string }> = [];
    first.on('message', (raw) => frames.push(JSON.parse(String(raw)) as (typeof frames)[number]));
    const closed = await new Promise<number>((resolve) => first.once('close', resolve));
    expect(closed).toBe(1006);
    expect(frames[0]).toMatchObject({ specVersion: '1.0', type: 'SYSTEM', headers: { topic: 'ping' } });
    expect(JSON.parse(frames[0]!.data)).toHaveProperty('opaque');
  });

  it('sends an event that was not acknowledged at all again, once the wait for it has passed', async () => {
    const { endpoint, ticket } = (await (
      await fetch(`${server.url}/v1.0/gateway/connections/open`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'acme-app', clientSecret: 's3cret' }),
      })
    ).json()) as { endpoint: string; ticket: string };
    // A client written by hand: it leaves the first EVENT unanswered and acknowledges the rest.
    const socket = new WebSocket(`${endpoint}?ticket=${ticket}`);
    const events: Array<{ headers: { messageId: string; eventId: string }; data: string }> = [];
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { type: string; headers: { messageId: string; eventId: string; topic: string }; data: string };
      if (frame.type === 'SYSTEM' && frame.headers.topic === 'ping') socket.send(JSON.stringify({ code: 200, headers: frame.headers, message: 'OK', data: frame.data }));
      if (frame.type !== 'EVENT') return;
      events.push(frame);
      if (events.length > 1) socket.send(JSON.stringify({ code: 200, headers: { messageId: frame.headers.messageId, contentType: 'application/json' }, message: 'OK', data: '{"status":"SUCCESS"}' }));
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    try {
      const m = await create();
      await until(() => events.length >= 2, 'the event again');
      expect(events[1]!.headers.eventId).toBe(events[0]!.headers.eventId);
      expect((JSON.parse(events[1]!.data) as { conferenceId: string }).conferenceId).toBe(m.conferenceId);
      const log = await deliveryLog(server.db, events[0]!.headers.eventId);
      for (let i = 0; log.length < 2 && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 20));
        log.splice(0, log.length, ...(await deliveryLog(server.db, events[0]!.headers.eventId)));
      }
      expect(log.map((l) => l.error)).toEqual(['no acknowledgement within 300 ms', null]);
    } finally {
      socket.close();
    }
  });

  it('keeps a client that echoes pings (the official one does) connected', async () => {
    await connect();
    const client = clients[0]!;
    await new Promise((r) => setTimeout(r, 500));
    expect(client.connected).toBe(true);
    expect(server.running.ctx.events.stream.size).toBe(1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^vconf_event_stream_connections 1$/m);
  });
});

describe('Stream mode when vconf shuts down', () => {
  it('sends SYSTEM disconnect before closing the connection', async () => {
    const own = await startTestServer({ directory: directory() });
    let stopped = false;
    try {
      const res = await fetch(`${own.url}/v1.0/gateway/connections/open`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'acme-app', clientSecret: 's3cret' }),
      });
      const { endpoint, ticket } = (await res.json()) as { endpoint: string; ticket: string };
      const socket = new WebSocket(`${endpoint}?ticket=${ticket}`);
      const frames: Array<{ type: string; headers: { topic: string } }> = [];
      socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as (typeof frames)[number]));
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const closed = new Promise<number>((resolve) => socket.once('close', resolve));
      await own.stop();
      stopped = true;
      expect(await closed).toBe(1001);
      expect(frames.map((f) => [f.type, f.headers.topic])).toContainEqual(['SYSTEM', 'disconnect']);
    } finally {
      if (!stopped) await own.stop();
    }
  });
});
