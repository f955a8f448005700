/**
 * The delivery worker against a real SQLite outbox and real receivers on loopback: backlogs over many
 * meetings and two apps go out once per app, in order per meeting, with the outbox read in pages (far
 * fewer queries than deliveries) and outcomes recorded in shared transactions; events stored by
 * another instance, even with a time the worker has already read past, still go out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/domain/directory.js';
import { EventType, type NewEvent } from '../../src/domain/events.js';
import { EventDispatcher, type DispatcherOptions } from '../../src/events/dispatcher.js';
import { SqlDirectoryRepository } from '../../src/store/directory-repo.js';
import { SqlEventStore } from '../../src/store/event-repo.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { Receiver, type Delivery } from './receiver.js';
import { deliveryStates } from '../support/outbox-peek.js';

const SECRETS = { one: 'dispatcher-test-secret-one-0123', two: 'dispatcher-test-secret-two-4567' };
const silent = pino({ level: 'silent' });

let dir: string;
let db: Kysely<Database>;
let store: SqlEventStore;
let receivers: { one: Receiver; two: Receiver };
let dispatcher: EventDispatcher | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vconf-dispatcher-'));
  db = openSqlite(dir);
  await migrateToLatest(db);
  receivers = { one: new Receiver(SECRETS.one), two: new Receiver(SECRETS.two) };
  await Promise.all([receivers.one.start(), receivers.two.start()]);
  await new SqlDirectoryRepository(db).apply(
    parseDirectory({
      orgs: [
        {
          corpId: 'dingdispatch',
          name: 'Dispatch',
          apps: [
            { appKey: 'app-one', appSecret: 'x', scopes: [], eventCallback: { url: receivers.one.url, secret: SECRETS.one } },
            { appKey: 'app-two', appSecret: 'x', scopes: [], eventCallback: { url: receivers.two.url, secret: SECRETS.two } },
          ],
        },
      ],
    }),
  );
  store = new SqlEventStore(db);
});

afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
  await Promise.all([receivers.one.stop(), receivers.two.stop()]);
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function startDispatcher(opts: DispatcherOptions = {}): EventDispatcher {
  dispatcher = new EventDispatcher(store, silent, { pollMs: 5_000, ...opts });
  dispatcher.start();
  return dispatcher;
}

const meetingIds = (n: number, prefix = 'meeting') => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

function event(conferenceId: string, eventTime: number): NewEvent {
  return { conferenceId, corpId: 'dingdispatch', type: EventType.member, changeScene: 'user_join', eventTime, data: { openMemberModels: [{ userNick: 'Guest' }] } };
}

/** `perMeeting` events for each meeting, each meeting's stored in one transaction; by default the meetings' events interleave in time. */
async function appendBacklog(
  meetings: readonly string[],
  perMeeting: number,
  into = store,
  timeOf = (m: number, e: number) => Date.now() - 60_000 + e * meetings.length + m,
): Promise<void> {
  for (const [m, id] of meetings.entries()) {
    await into.appendAll(Array.from({ length: perMeeting }, (_, e) => event(id, timeOf(m, e))));
  }
}

/** Accepted deliveries of every meeting, by meeting, in arrival order. */
function acceptedByMeeting(r: Receiver, meetings: readonly string[]): Map<string, Delivery[]> {
  return new Map(meetings.map((id) => [id, r.accepted(id)]));
}

/** Waits until every delivery of both apps is recorded as delivered (the receivers see each a moment before). */
async function allRecordedDelivered(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = [...(await deliveryStates(db, 'app-one')).values(), ...(await deliveryStates(db, 'app-two')).values()];
    if (states.length > 0 && states.every((s) => s === 'delivered')) return;
    if (Date.now() > deadline) throw new Error(`not all delivered: ${states.filter((s) => s !== 'delivered').length} left`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const total = (r: Receiver) => r.deliveries.filter((d) => d.answered >= 200 && d.answered < 300).length;

/** Every meeting's events reached the receiver once each, numbered 1…n in arrival order, signed. */
function expectOncePerEventInOrder(r: Receiver, meetings: readonly string[], perMeeting: number): void {
  const expected = Array.from({ length: perMeeting }, (_, i) => i + 1);
  for (const [id, got] of acceptedByMeeting(r, meetings)) {
    expect(got.map((d) => d.body.statusSeqNum), id).toEqual(expected);
    expect(got.every((d) => d.validSignature)).toBe(true);
  }
  const accepted = r.deliveries.filter((d) => d.answered >= 200 && d.answered < 300);
  expect(new Set(accepted.map((d) => d.eventId)).size).toBe(accepted.length);
}

/** No attempt at a meeting's event before the one before it was accepted: a later event waits while an earlier one is retried. */
function expectNoOvertaking(r: Receiver): void {
  const accepted = new Map<string, Set<number>>();
  for (const d of r.deliveries) {
    const id = String(d.body.BizId);
    const seq = Number(d.body.statusSeqNum);
    const done = accepted.get(id) ?? new Set<number>();
    accepted.set(id, done);
    for (let earlier = 1; earlier < seq; earlier++) expect(done.has(earlier), `${id} #${seq} before #${earlier} was accepted`).toBe(true);
    if (d.answered >= 200 && d.answered < 300) done.add(seq);
  }
}

describe('the delivery worker', () => {
  it('delivers a backlog over many meetings and two apps once per app, in order, with few outbox queries and shared commits', async () => {
    const meetings = meetingIds(50);
    const perMeeting = 12;
    await appendBacklog(meetings, perMeeting);
    const deliveries = 2 * meetings.length * perMeeting;

    startDispatcher();
    await receivers.one.until(() => total(receivers.one) >= meetings.length * perMeeting, 20_000);
    await receivers.two.until(() => total(receivers.two) >= meetings.length * perMeeting, 20_000);
    const { reads, writes } = store.stats;
    await allRecordedDelivered();
    await dispatcher!.stop();

    for (const r of [receivers.one, receivers.two]) expectOncePerEventInOrder(r, meetings, perMeeting);
    // Before: two reads of the outbox and one transaction per delivery.
    expect(reads).toBeLessThan(deliveries / 20);
    expect(writes).toBeLessThan(deliveries / 2);
  });

  it('keeps each meeting in order through retries of many deliveries at once, still reading the outbox far less than it attempts', async () => {
    const meetings = meetingIds(30);
    const perMeeting = 8;
    await appendBacklog(meetings, perMeeting);
    // Every third event is refused once (500), every fifth dropped once, by both receivers.
    const firstAnswer = (seq: number) => (seq % 3 === 0 ? 500 : seq % 5 === 0 ? 0 : 200);
    for (const r of [receivers.one, receivers.two]) r.policy = (d, seenBefore) => (seenBefore > 0 ? 200 : firstAnswer(Number(d.body.statusSeqNum)));

    startDispatcher({ retryScheduleMs: [40, 40, 40] });
    for (const r of [receivers.one, receivers.two]) await r.until(() => meetings.every((id) => r.accepted(id).length === perMeeting), 20_000);
    const { reads } = store.stats;
    await allRecordedDelivered();
    await dispatcher!.stop();

    for (const r of [receivers.one, receivers.two]) {
      expectOncePerEventInOrder(r, meetings, perMeeting);
      expectNoOvertaking(r);
    }
    const attempts = receivers.one.deliveries.length + receivers.two.deliveries.length;
    expect(attempts).toBeGreaterThan(2 * meetings.length * perMeeting);
    expect(reads).toBeLessThan(attempts / 2);
  });

  it('delivers events appended while it runs, from this instance (woken) and another (not woken, timed before what it already read)', async () => {
    const mine = meetingIds(20, 'mine');
    const theirs = meetingIds(20, 'theirs');
    // Another instance: its own connection to the same file, and no way to wake this worker.
    const other = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(dir, 'vconf.sqlite')) }) });
    try {
      const otherStore = new SqlEventStore(other);
      const worker = startDispatcher({ pollMs: 300 });
      for (let round = 0; round < 5; round++) {
        // As the recorder stores them: timed when they happen, the worker woken after each append.
        for (const id of mine) {
          await store.appendAll([event(id, Date.now()), event(id, Date.now())]);
          worker.wake();
        }
        // Stored now, but timed back (within a rescan's reach, or only a sweep's): behind what the worker has read by then.
        const back = round % 2 === 0 ? 1_000 : 5_000;
        await appendBacklog(theirs, 2, otherStore, () => Date.now() - back);
        await new Promise((r) => setTimeout(r, 20));
      }
      const all = [...mine, ...theirs];
      const perMeeting = 10;
      for (const r of [receivers.one, receivers.two]) await r.until(() => total(r) >= all.length * perMeeting, 20_000);
      for (const r of [receivers.one, receivers.two]) expectOncePerEventInOrder(r, all, perMeeting);
      expect(store.stats.reads).toBeLessThan((2 * all.length * perMeeting) / 5);
    } finally {
      await other.destroy();
    }
  });

  it('reads the outbox through its indexes: no scan of the deliveries, no sort', async () => {
    const seen: { sql: string; parameters: readonly unknown[] }[] = [];
    const file = new SqliteDatabase(join(dir, 'vconf.sqlite'));
    const logged = new Kysely<Database>({
      dialect: new SqliteDialect({ database: file }),
      log: (e) => {
        if (e.level === 'query' && /^select/i.test(e.query.sql) && e.query.sql.includes('event_deliveries')) seen.push(e.query);
      },
    });
    try {
      store = new SqlEventStore(logged);
      await appendBacklog(meetingIds(5), 3, store);
      receivers.one.policy = (_d, seenBefore) => (seenBefore === 0 ? 503 : 200);
      startDispatcher({ retryScheduleMs: [30] });
      for (const r of [receivers.one, receivers.two]) await r.until(() => total(r) >= 15);
      await dispatcher!.stop();

      expect(seen.length).toBeGreaterThan(0);
      for (const { sql, parameters } of seen) {
        const plan = (file.prepare(`explain query plan ${sql}`).all(...parameters) as { detail: string }[]).map((r) => r.detail).join(' | ');
        expect(plan, sql).not.toMatch(/SCAN (d|p|h|event_deliveries)\b|TEMP B-TREE/);
      }
      // The walk, a line read again after a retry, and the look for the next retry due.
      expect(new Set(seen.map((q) => q.sql)).size).toBeGreaterThanOrEqual(3);
    } finally {
      await dispatcher?.stop();
      await logged.destroy();
    }
  });
});
