/**
 * Two instances delivering from one PostgreSQL outbox: every event reaches the receiver once, in
 * order per meeting, each delivery attempted by one instance at a time (claims); and when an
 * instance dies mid-attempt, another takes its line over once the claim has expired.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/domain/directory.js';
import { EventType, type NewEvent } from '../../src/domain/events.js';
import { EventDispatcher } from '../../src/events/dispatcher.js';
import { DeliveryClaims } from '../../src/store/delivery-claims.js';
import { SqlDirectoryRepository } from '../../src/store/directory-repo.js';
import { SqlEventStore } from '../../src/store/event-repo.js';
import type { Store } from '../../src/store/open-store.js';
import { Receiver } from '../events/receiver.js';
import { requires } from '../support/requirements.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { deliveryStates } from '../support/outbox-peek.js';

const ready = await requires(import.meta.url, 'postgres');
const SECRET = 'two-instances-secret-0123456789';
const silent = pino({ level: 'silent' });

let opened: TestStore;
let receiver: Receiver;
let dispatchers: EventDispatcher[] = [];

/** An instance: its own pool, outbox store and delivery worker, with claims as on PostgreSQL. */
async function instance(name: string, claimTtlMs: number, store?: Store): Promise<{ store: Store; outbox: SqlEventStore; dispatcher: EventDispatcher }> {
  const s = store ?? (await opened.another());
  const outbox = new SqlEventStore(s.db);
  const dispatcher = new EventDispatcher(outbox, silent, { pollMs: 200, retryScheduleMs: [50, 50, 50, 50], claims: new DeliveryClaims(s.db, name, claimTtlMs) });
  dispatchers.push(dispatcher);
  return { store: s, outbox, dispatcher };
}

const meetingIds = (n: number) => Array.from({ length: n }, (_, i) => `meeting-${String(i).padStart(3, '0')}`);

async function appendBacklog(outbox: SqlEventStore, meetings: readonly string[], perMeeting: number): Promise<void> {
  const event = (conferenceId: string, e: number): NewEvent => ({
    conferenceId,
    corpId: 'dingtwo',
    type: EventType.member,
    changeScene: 'user_join',
    eventTime: Date.now() - 1000 + e,
    data: { openMemberModels: [{ userNick: `Guest ${e}` }] },
  });
  await Promise.all(meetings.map((id) => outbox.appendAll(Array.from({ length: perMeeting }, (_, e) => event(id, e)))));
}

const ok = (answered: number) => answered >= 200 && answered < 300;

describe.skipIf(!ready)('two delivery workers on one PostgreSQL outbox', () => {
  beforeEach(async () => {
    opened = await openTestStore('vconf-pg-dispatch-');
    receiver = new Receiver(SECRET);
    await receiver.start();
    await new SqlDirectoryRepository(opened.store.db).apply(
      parseDirectory({
        orgs: [{ corpId: 'dingtwo', name: 'Two', apps: [{ appKey: 'app', appSecret: 'x', scopes: [], eventCallback: { url: receiver.url, secret: SECRET } }] }],
      }),
    );
  });

  afterEach(async () => {
    await Promise.all(dispatchers.map((d) => d.stop()));
    dispatchers = [];
    await receiver.stop();
    await opened.close();
  });

  it('deliver every event once, in order per meeting, never attempting a delivery at once or before the one before it was accepted', async () => {
    const meetings = meetingIds(20);
    const perMeeting = 6;
    const a = await instance('instance-a', 30_000, opened.store);
    const b = await instance('instance-b', 30_000);
    await appendBacklog(a.outbox, meetings, perMeeting);
    // Some first attempts are refused, so lines are retried and may move from one instance to the other.
    receiver.policy = (d, seenBefore) => (seenBefore === 0 && Number(d.body.statusSeqNum) % 4 === 0 ? 500 : 200);
    receiver.holdMs = () => 3;
    const inFlight = new Set<string>();
    let overlapping = 0;
    const hold = receiver.holdMs;
    receiver.holdMs = (d) => {
      if (inFlight.has(d.eventId)) overlapping++;
      inFlight.add(d.eventId);
      setTimeout(() => inFlight.delete(d.eventId), hold(d) + 1);
      return hold(d);
    };

    a.dispatcher.start();
    b.dispatcher.start();
    await receiver.until(() => meetings.every((id) => receiver.accepted(id).length === perMeeting), 20_000);

    expect(overlapping).toBe(0);
    const accepted = receiver.deliveries.filter((d) => ok(d.answered));
    expect(accepted).toHaveLength(meetings.length * perMeeting);
    for (const id of meetings) {
      expect(receiver.accepted(id).map((d) => d.body.statusSeqNum), id).toEqual([1, 2, 3, 4, 5, 6]);
    }
    // No attempt at an event before the one before it was accepted, whichever instance made it.
    const done = new Map<string, Set<number>>();
    for (const d of receiver.deliveries) {
      const id = String(d.body.BizId);
      const seq = Number(d.body.statusSeqNum);
      const seen = done.get(id) ?? new Set<number>();
      done.set(id, seen);
      for (let earlier = 1; earlier < seq; earlier++) expect(seen.has(earlier), `${id} #${seq} before #${earlier}`).toBe(true);
      if (ok(d.answered)) seen.add(seq);
    }
  });

  it('take over the line of an instance that died mid-attempt once its claim has expired, and deliver it whole, in order', async () => {
    const ttlMs = 2_000;
    const a = await instance('instance-a', ttlMs, await opened.another());
    await appendBacklog(a.outbox, ['meeting-x'], 3);
    // Instance A's first attempt never gets an answer: A dies while waiting for it.
    let firstHeld = false;
    receiver.holdMs = () => {
      if (firstHeld) return 0;
      firstHeld = true;
      return 60_000;
    };
    const started = Date.now();
    a.dispatcher.start();
    await waitFor(() => firstHeld);
    // Dying: the database is gone before the worker stops, so nothing is recorded or released.
    await a.store.close();
    await a.dispatcher.stop();

    const b = await instance('instance-b', ttlMs, opened.store);
    b.dispatcher.start();
    await receiver.until(() => receiver.accepted('meeting-x').length === 3, 10_000);

    const taken = receiver.accepted('meeting-x');
    expect(taken.map((d) => d.body.statusSeqNum)).toEqual([1, 2, 3]);
    // Not before A's claim ran out: B found the delivery claimed and waited.
    expect(taken[0]!.receivedAt - started).toBeGreaterThanOrEqual(ttlMs);
    await waitForAsync(async () => [...(await deliveryStates(b.store.db, 'app')).values()].join() === 'delivered,delivered,delivered');
  });

  it('let another instance take over at once what a stopping instance gives back', async () => {
    const a = await instance('instance-a', 60_000, await opened.another());
    await appendBacklog(a.outbox, ['meeting-y'], 2);
    let firstHeld = false;
    receiver.holdMs = () => {
      if (firstHeld) return 0;
      firstHeld = true;
      return 60_000;
    };
    a.dispatcher.start();
    await waitFor(() => firstHeld);
    await a.dispatcher.stop();

    const b = await instance('instance-b', 60_000, opened.store);
    const started = Date.now();
    b.dispatcher.start();
    await receiver.until(() => receiver.accepted('meeting-y').length === 2, 5_000);
    expect(receiver.accepted('meeting-y').map((d) => d.body.statusSeqNum)).toEqual([1, 2]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function waitForAsync(cond: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}
