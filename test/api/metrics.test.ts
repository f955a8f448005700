/**
 * Issue 8: GET /metrics of a real vconf, after calls through DingTalk's official SDK and
 * participants entering rooms over the signaling socket: requests per operation, error bodies
 * per code, live rooms and people, and the event outbox backlog.
 */
import { connect } from 'node:net';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from '../events/receiver.js';
import { rowOf } from '../support/db-peek.js';
import { directory as baseDirectory } from '../support/fixtures.js';
import { scrape } from '../support/metrics.js';
import { admit, linkToken, RoomClient } from '../support/room-client.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'metrics-callback-secret-0123456';

let server: TestServer;
let receiver: Receiver;
let token: string;
const clients: RoomClient[] = [];

beforeAll(async () => {
  // acme-app takes conference events at a receiver that refuses them, so deliveries stay pending.
  receiver = new Receiver(SECRET);
  receiver.policy = () => 500;
  await receiver.start();
  const doc = structuredClone(baseDirectory) as typeof baseDirectory;
  const acme = doc.orgs.find((o) => o.corpId === 'dingacme')!;
  acme.apps = acme.apps.map((a) => (a.appKey === 'acme-app' ? { ...a, eventCallback: { url: receiver.url, secret: SECRET } } : a));
  server = await startTestServer({ directory: doc, config: { eventRetryScheduleMs: [600_000], eventPollMs: 50 } });
  token = await appToken(server.endpoint, 'acme-app', 's3cret');
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await server?.stop();
  await receiver?.stop();
});

const sdk = () => conferenceClient(server.endpoint);

async function create(title: string) {
  const res = await sdk().createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: title, inviteUserIds: ['uA2'] }),
    confHeaders(token),
    runtime(),
  );
  return res.body as { conferenceId: string; externalLinkUrl: string };
}

async function enter(link: string, name: string): Promise<RoomClient> {
  const client = await RoomClient.enter(server.url, await admit(server.url, linkToken(link)), { name });
  expect(client.participantId).not.toBe('');
  clients.push(client);
  return client;
}

/** Scrapes until `read` gives `want` (gauges follow rooms that close asynchronously). */
async function scrapedValue(read: (s: Awaited<ReturnType<typeof scrape>>) => number, want: number): Promise<number> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = read(await scrape(server.url));
    if (value === want || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('GET /metrics', () => {
  it('is Prometheus text with process metrics, and not in the OpenAPI document', async () => {
    const s = await scrape(server.url);
    expect(s.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(s.has('process_cpu_user_seconds_total')).toBe(true);
    expect(s.has('nodejs_eventloop_lag_seconds')).toBe(true);
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
    expect(Object.keys(doc.paths)).not.toContain('/readyz');
  });

  it('counts requests and their latency per DingTalk operation and status', async () => {
    const count = (operation: string, status: string) => async () =>
      (await scrape(server.url)).value('vconf_http_request_duration_seconds_count', { operation, status });
    const creates = count('CreateVideoConference', '200');
    const before = await creates();
    await create('Counted');
    await create('Counted again');
    expect(await creates()).toBe(before + 2);

    // Routes without a DingTalk action are named by method and route pattern.
    await fetch(`${server.url}/healthz`);
    expect(await count('GET /healthz', '200')()).toBeGreaterThanOrEqual(1);

    // The histogram's buckets hold the same requests: the slowest bucket counts all of them.
    const s = await scrape(server.url);
    expect(s.value('vconf_http_request_duration_seconds_bucket', { operation: 'CreateVideoConference', status: '200', le: '+Inf' })).toBe(before + 2);
    expect(s.value('vconf_http_request_duration_seconds_sum', { operation: 'CreateVideoConference', status: '200' })).toBeGreaterThan(0);
  });

  it('counts error bodies by their catalogued code, and the failed requests by status', async () => {
    const errors = async (code: string) => (await scrape(server.url)).value('vconf_api_errors_total', { code });
    const [notFound, badToken] = [await errors('roomNotFound'), await errors('InvalidAuthentication')];

    const missing = await sdkError(sdk().queryConferenceInfoWithOptions('000000000000000000000000', confHeaders(token), runtime()));
    expect(missing.code).toBe('roomNotFound');
    await sdkError(sdk().queryConferenceInfoWithOptions('000000000000000000000000', confHeaders(token), runtime()));
    const forged = await sdkError(sdk().queryConferenceInfoWithOptions('000000000000000000000000', confHeaders('not-a-token'), runtime()));
    expect(forged.code).toBe('InvalidAuthentication');

    const s = await scrape(server.url);
    expect(s.value('vconf_api_errors_total', { code: 'roomNotFound' })).toBe(notFound + 2);
    expect(s.value('vconf_api_errors_total', { code: 'InvalidAuthentication' })).toBe(badToken + 1);
    expect(s.value('vconf_http_request_duration_seconds_count', { operation: 'QueryConferenceInfo', status: '404' })).toBeGreaterThanOrEqual(2);
  });

  it('counts errors answered before any route, by the HTTP parser', async () => {
    const before = (await scrape(server.url)).value('vconf_api_errors_total', { code: 'RequestHeaderFieldsTooLarge' });
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`));
      let text = '';
      socket.on('data', (d) => (text += String(d)));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect((await scrape(server.url)).value('vconf_api_errors_total', { code: 'RequestHeaderFieldsTooLarge' })).toBe(before + 1);
  });

  it('shows live rooms and the people in them as they enter and leave', async () => {
    const rooms = (s: Awaited<ReturnType<typeof scrape>>) => s.value('vconf_live_rooms');
    const people = (s: Awaited<ReturnType<typeof scrape>>) => s.value('vconf_live_participants');
    expect(rooms(await scrape(server.url))).toBe(0);

    const first = await create('Live one');
    const second = await create('Live two');
    const ann = await enter(first.externalLinkUrl, 'Ann');
    await enter(first.externalLinkUrl, 'Ben');
    await enter(second.externalLinkUrl, 'Cid');
    const s = await scrape(server.url);
    expect(rooms(s)).toBe(2);
    expect(people(s)).toBe(3);

    ann.close();
    expect(await scrapedValue(people, 2)).toBe(2);
    for (const c of clients.splice(0)) c.close();
    expect(await scrapedValue(people, 0)).toBe(0);
    expect(await scrapedValue(rooms, 0)).toBe(0);
  });

  it('shows the event outbox backlog: the deliveries still pending in the database', async () => {
    await create('Backlog');
    await create('More backlog');
    const row = await rowOf<{ n: number | string }>(server.db, sql`select count(*) as n from event_deliveries where state = 'pending'`);
    const pending = Number(row?.n);
    expect(pending).toBeGreaterThanOrEqual(2);
    expect((await scrape(server.url)).value('vconf_event_outbox_backlog')).toBe(pending);
    // The receiver was really asked, and refused: these are deliveries waiting for a retry.
    await expect.poll(() => receiver.deliveries.length).toBeGreaterThan(0);
  });

  it('has a Redis error counter and a pool-wait gauge (always zero on the embedded store, which has no pool)', async () => {
    const s = await scrape(server.url);
    expect(s.has('vconf_redis_errors_total')).toBe(true);
    expect(s.value('vconf_redis_errors_total')).toBe(0);
    expect(s.has('vconf_db_pool_waiting')).toBe(true);
    if (server.store === 'sqlite') expect(s.value('vconf_db_pool_waiting')).toBe(0);
    else expect(s.value('vconf_db_pool_waiting')).toBeGreaterThanOrEqual(0);
    server.running.ctx.metrics.redisErrors.inc();
    expect((await scrape(server.url)).value('vconf_redis_errors_total')).toBe(1);
  });
});
