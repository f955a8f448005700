/** Subscriptions in the directory file: what the schema takes, and what re-applying the file changes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/domain/directory.js';
import { Rejection } from '../../src/domain/rejection.js';
import { directory as baseDirectory } from '../support/fixtures.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { Receiver } from './receiver.js';
import { deliveryLog, deliveryStates } from '../support/outbox-peek.js';

const SECRET = 'subscription-secret-0123456789';

function withCallback(callback: unknown) {
  const doc = structuredClone(baseDirectory) as typeof baseDirectory;
  const acme = doc.orgs.find((o) => o.corpId === 'dingacme')!;
  acme.apps = acme.apps.map((a) => (a.appKey === 'acme-app' && callback !== undefined ? { ...a, eventCallback: callback } : a));
  return doc;
}

describe('eventCallback in the directory file', () => {
  it('keeps a valid subscription on the app', () => {
    const parsed = parseDirectory(withCallback({ url: 'https://hooks.example.com/vconf', secret: SECRET, events: ['meeting_status_change'] }));
    const app = parsed.orgs.flatMap((o) => o.apps).find((a) => a.appKey === 'acme-app');
    expect(app?.eventCallback).toEqual({ url: 'https://hooks.example.com/vconf', secret: SECRET, events: ['meeting_status_change'] });
    expect(parsed.orgs.flatMap((o) => o.apps).find((a) => a.appKey === 'acme-readonly')?.eventCallback).toBeUndefined();
  });

  it('refuses a non-HTTP url, a short secret, an unknown event type and unknown fields', () => {
    for (const bad of [
      { url: 'ftp://hooks.example.com', secret: SECRET },
      { url: 'https://hooks.example.com', secret: 'short' },
      { url: 'https://hooks.example.com', secret: SECRET, events: ['meeting_started'] },
      { url: 'https://hooks.example.com', secret: SECRET, retries: 3 },
      { secret: SECRET },
    ]) {
      expect(() => parseDirectory(withCallback(bad)), JSON.stringify(bad)).toThrow(Rejection);
    }
  });
});

describe('unsubscribing by re-applying the directory', () => {
  let server: TestServer;
  const receiver = new Receiver(SECRET);
  beforeAll(async () => {
    await receiver.start();
    server = await startTestServer({
      directory: withCallback({ url: receiver.url, secret: SECRET }),
      config: { eventRetryScheduleMs: Array.from({ length: 50 }, () => 50), eventPollMs: 50 },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await receiver.stop();
  });

  it('marks pending deliveries failed and queues none for new events', async () => {
    receiver.policy = () => 503;
    const token = await appToken(server.endpoint, 'acme-app', 's3cret');
    const create = async () =>
      (
        await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
          new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Unsubscribe', inviteCaller: false }),
          confHeaders(token),
          runtime(),
        )
      ).body!.conferenceId!;
    const first = await create();
    await receiver.until(() => receiver.deliveries.some((d) => d.body.BizId === first));
    const eventId = receiver.deliveries.find((d) => d.body.BizId === first)!.eventId;

    await server.running.ctx.directory.apply(parseDirectory(withCallback(undefined)));
    for (let i = 0; i < 40 && (await deliveryStates(server.db, 'acme-app')).get(eventId) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await deliveryStates(server.db, 'acme-app')).get(eventId)).toBe('failed');
    expect((await deliveryLog(server.db, eventId)).at(-1)?.error).toBe('the app has no eventCallback any more');

    const before = (await deliveryStates(server.db, 'acme-app')).size;
    await create();
    expect((await deliveryStates(server.db, 'acme-app')).size).toBe(before);
  });
});
