/**
 * Conference events from three instances sharing one outbox on PostgreSQL: every event reaches
 * the app once, in statusSeqNum order per meeting, whichever instances made the changes; and an
 * instance killed in the middle of a delivery leaves it to another (at least once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstances, type Instances } from '../../tools/cluster.js';
import { Receiver } from '../events/receiver.js';
import { directory as baseDirectory } from '../support/fixtures.js';
import { admit, linkToken, RoomClient } from '../support/room-client.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';

const ready = await requires(import.meta.url, 'postgres', 'redis');
const SECRET = 'acme-callback-secret-0123456789';

describe.skipIf(!ready)('events across instances', () => {
  let cluster: Instances;
  let receiver: Receiver;
  let token: string;
  const at = (i: number) => cluster.list[i % cluster.list.length]!;

  beforeAll(async () => {
    receiver = new Receiver(SECRET);
    await receiver.start();
    const directory = structuredClone(baseDirectory) as typeof baseDirectory;
    const acme = directory.orgs.find((o) => o.corpId === 'dingacme')!;
    acme.apps = acme.apps.map((a) => (a.appKey === 'acme-app' ? { ...a, eventCallback: { url: receiver.url, secret: SECRET } } : a));
    cluster = await startInstances({ count: 3, directory, flags: ['--event-retry-schedule', '200ms,200ms,200ms,200ms,200ms', '--event-claim-ttl', '4s'] });
    token = await appToken(at(0).endpoint, 'acme-app', 's3cret');
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await receiver?.stop();
  });

  const pending = async () =>
    Number((await cluster.query<{ n: string }>(`select count(*) as n from event_deliveries where app_key = 'acme-app' and state <> 'delivered'`))[0]!.n);
  const stored = async (conferenceId: string) =>
    Number((await cluster.query<{ n: string }>(`select count(*) as n from event_deliveries where app_key = 'acme-app' and conference_id = $1`, [conferenceId]))[0]!.n);

  async function meetingThroughAll(i: number): Promise<string> {
    const m = (
      await conferenceClient(at(i).endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: `Events ${i}` }),
        confHeaders(token),
        runtime(),
      )
    ).body!;
    const link = linkToken(m.externalLinkUrl!);
    const guest = await RoomClient.enter(at(i + 1).url, await admit(at(i + 1).url, link), { name: `Guest ${i}` });
    guest.close();
    await guest.closed;
    await conferenceClient(at(i + 2).endpoint).closeVideoConferenceWithOptions(m.conferenceId!, new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }), confHeaders(token), runtime());
    return m.conferenceId!;
  }

  it('delivers every event once, in order per meeting, from changes made on all three', async () => {
    const ids = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => meetingThroughAll(i)));
    await receiver.until(() => ids.every((id) => receiver.accepted(id).length > 0), 20_000);
    for (let waited = 0; (await pending()) > 0 && waited < 20_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
    expect(await pending()).toBe(0);
    for (const id of ids) {
      const seqs = receiver.accepted(id).map((d) => d.body.statusSeqNum as number);
      expect(seqs.length).toBe(await stored(id));
      expect(seqs).toEqual(seqs.map((_, k) => k + 1));
    }
    // Each delivery was attempted by one instance: nothing came twice.
    const ok = receiver.deliveries.filter((d) => d.answered === 200);
    expect(new Set(ok.map((d) => d.eventId)).size).toBe(ok.length);
  }, 60_000);

  it('gives a delivery whose instance died mid-attempt to another, and keeps the order behind it', async () => {
    let held: string | undefined;
    let releaseHold: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => (releaseHold = resolve));
    // The next delivery hangs until its instance is dead.
    receiver.holdMs = (d) => {
      if (held === undefined && d.attempt === 1) {
        held = d.eventId;
        releaseHold();
        return 6000;
      }
      return 0;
    };
    const id = await meetingThroughAll(7);
    await holding;
    const [claim] = await cluster.query<{ claimed_by: string }>(`select claimed_by from event_deliveries where event_id = $1 and app_key = 'acme-app'`, [held]);
    const victim = cluster.list.find((i) => i.id === claim!.claimed_by)!;
    expect(victim).toBeDefined();
    victim.proc.kill('SIGKILL');
    for (let waited = 0; (await pending()) > 0 && waited < 20_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
    const seqs = receiver.accepted(id).map((d) => d.body.statusSeqNum as number);
    expect(seqs).toEqual(seqs.map((_, k) => k + 1));
    expect(seqs.length).toBe(await stored(id));
    // The held delivery came again from a survivor (at least once); the dead instance's attempt
    // is recorded by the receiver only when its hold ends.
    await receiver.until(() => receiver.deliveries.filter((d) => d.eventId === held).length >= 2, 10_000);
    await victim.restart();
  }, 90_000);
});
