/**
 * Issue 13 §1 with several instances (PostgreSQL + Redis): the official Stream-mode client is
 * connected to one instance while every change of the meeting is made on another. The instance
 * holding the connection delivers the app's events — each once, in order — and the other never
 * attempts them.
 */
import { EventAck } from 'dingtalk-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstances, type Instances } from '../../tools/cluster.js';
import { directory as baseDirectory } from '../support/fixtures.js';
import { admit, linkToken, RoomClient } from '../support/room-client.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { VconfStreamClient } from '../support/stream-client.js';

const ready = await requires(import.meta.url, 'postgres', 'redis');

describe.skipIf(!ready)('Stream mode across instances', () => {
  let cluster: Instances;
  let client: VconfStreamClient | undefined;

  beforeAll(async () => {
    const directory = structuredClone(baseDirectory) as typeof baseDirectory;
    const acme = directory.orgs.find((o) => o.corpId === 'dingacme')!;
    acme.apps = acme.apps.map((a) => (a.appKey === 'acme-app' ? { ...a, eventStream: {} } : a));
    cluster = await startInstances({ count: 2, directory, flags: ['--event-retry-schedule', '200ms,200ms,200ms'] });
  }, 120_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('delivers from the instance holding the connection what another instance stored, once each, in order', async () => {
    const [holder, other] = [cluster.list[0]!, cluster.list[1]!];
    const got: Array<{ eventId: string; scene: string; seq: number; conferenceId: string }> = [];
    // The ticket comes from the other instance; the WebSocket goes through the balancer to the holder.
    client = new VconfStreamClient(other.url, { clientId: 'acme-app', clientSecret: 's3cret' }, () => cluster.balancer.next(0));
    client.registerAllEventListener((msg) => {
      const data = JSON.parse(msg.data) as { changeScene: string; statusSeqNum: number; conferenceId: string };
      got.push({ eventId: msg.headers.eventId!, scene: data.changeScene, seq: data.statusSeqNum, conferenceId: data.conferenceId });
      return { status: EventAck.SUCCESS };
    });
    await client.connect();
    expect(client.connected).toBe(true);
    // The WebSocket is the balancer's last connection, and went to the holder.
    expect(cluster.balancer.routed.at(-1)).toBe(0);

    const token = await appToken(other.endpoint, 'acme-app', 's3cret');
    const sdk = conferenceClient(other.endpoint);
    const m = (await sdk.createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Across', inviteCaller: false }), confHeaders(token), runtime())).body!;
    const mine = () => got.filter((g) => g.conferenceId === m.conferenceId);
    // The other instance tells the holder at once (a cluster signal): no wait for the holder's 5 s look at the outbox.
    const createdAt = Date.now();
    for (let waited = 0; mine().length === 0 && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - createdAt).toBeLessThan(1_500);
    const guest = await RoomClient.enter(other.url, await admit(other.url, linkToken(m.externalLinkUrl!)), { name: 'Guest' });
    guest.close();
    await guest.closed;
    // The leave is recorded where the room is hosted; close only after it, or the close records a leave of its own.
    for (let waited = 0; !mine().some((g) => g.scene === 'user_leave') && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await sdk.closeVideoConferenceWithOptions(m.conferenceId!, new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }), confHeaders(token), runtime());

    const closedAt = Date.now();
    for (let waited = 0; !mine().some((g) => g.scene === 'conference_closed') && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - closedAt).toBeLessThan(1_500);
    expect(mine().map((g) => g.scene)).toEqual(['conference_created', 'user_join', 'user_leave', 'conference_closed']);
    expect(mine().map((g) => g.seq)).toEqual([1, 2, 3, 4]);
    // One attempt per event, the successful one: the instance without the connection made none.
    const log = await cluster.query<{ event_id: string; error: string | null }>(
      `select l.event_id, l.error from event_delivery_log l join events e using (event_id) where e.conference_id = $1 and l.app_key = 'acme-app'`,
      [m.conferenceId],
    );
    expect(log.map((l) => l.error)).toEqual([null, null, null, null]);
    expect([holder.id, other.id]).toEqual(['vconf-1', 'vconf-2']);
  }, 60_000);
});
