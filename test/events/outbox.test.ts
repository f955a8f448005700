/** The outbox on a real database (SQLite, or PostgreSQL in the api-postgres project): numbering per meeting and fan-out to subscribed apps. */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/domain/directory.js';
import { EventType, type NewEvent } from '../../src/domain/events.js';
import { SqlDirectoryRepository } from '../../src/store/directory-repo.js';
import { SqlEventStore } from '../../src/store/event-repo.js';
import type { Database } from '../../src/store/schema.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { deliveryStates } from '../support/outbox-peek.js';

let opened: TestStore;
let db: Kysely<Database>;
let store: SqlEventStore;

beforeAll(async () => {
  opened = await openTestStore('vconf-outbox-');
  db = opened.store.db;
  const secret = 'outbox-test-secret-0123456789';
  await new SqlDirectoryRepository(db).apply(
    parseDirectory({
      orgs: [
        {
          corpId: 'dingone',
          name: 'One',
          apps: [
            { appKey: 'all', appSecret: 'x', scopes: [], eventCallback: { url: 'http://127.0.0.1:9/all', secret } },
            { appKey: 'meetings-only', appSecret: 'x', scopes: [], eventCallback: { url: 'http://127.0.0.1:9/m', secret, events: ['meeting_status_change'] } },
            { appKey: 'deaf', appSecret: 'x', scopes: [] },
          ],
        },
        { corpId: 'dingtwo', name: 'Two', apps: [{ appKey: 'other-org', appSecret: 'x', scopes: [], eventCallback: { url: 'http://127.0.0.1:9/o', secret } }] },
        { corpId: 'dingquiet', name: 'Quiet', apps: [{ appKey: 'quiet-deaf', appSecret: 'x', scopes: [] }] },
        {
          corpId: 'dingmeetings',
          name: 'Meetings only',
          apps: [{ appKey: 'only-meetings', appSecret: 'x', scopes: [], eventCallback: { url: 'http://127.0.0.1:9/m2', secret, events: ['meeting_status_change'] } }],
        },
      ],
    }),
  );
  store = new SqlEventStore(db);
});
afterAll(async () => {
  await opened.close();
});

const event = (conferenceId: string, type: NewEvent['type'], corpId = 'dingone'): NewEvent => ({
  conferenceId,
  corpId,
  type,
  changeScene: type === EventType.meeting ? 'conference_created' : 'user_join',
  eventTime: 1,
  data: {},
});

describe('the event outbox', () => {
  it('numbers each meeting 1…n without gaps or repeats, even when appends overlap', async () => {
    const appends = Array.from({ length: 40 }, (_, i) => store.append(event(i % 2 === 0 ? 'meeting-a' : 'meeting-b', EventType.member)));
    const all = (await Promise.all(appends)).map(stored);
    for (const id of ['meeting-a', 'meeting-b']) {
      const seqs = all.filter((e) => e.conferenceId === id).map((e) => e.statusSeqNum).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
    expect(new Set(all.map((e) => e.eventId)).size).toBe(40);
  });

  it('queues a delivery for each app of the organization subscribed to the type, and only those', async () => {
    const meeting = stored(await store.append(event('meeting-c', EventType.meeting)));
    const member = stored(await store.append(event('meeting-c', EventType.member)));
    expect((await deliveryStates(db, 'all')).get(meeting.eventId)).toBe('pending');
    expect((await deliveryStates(db, 'all')).get(member.eventId)).toBe('pending');
    expect((await deliveryStates(db, 'meetings-only')).get(meeting.eventId)).toBe('pending');
    expect((await deliveryStates(db, 'meetings-only')).has(member.eventId)).toBe(false);
    expect((await deliveryStates(db, 'deaf')).size).toBe(0);
    expect((await deliveryStates(db, 'other-org')).size).toBe(0);
  });

  it('stores no event that no app takes, and numbers only the events it stores', async () => {
    const storedRows = async (conferenceId: string) =>
      (await db.selectFrom('events').select('seq').where('conference_id', '=', conferenceId).orderBy('seq').execute()).map((r) => r.seq);
    expect(await store.append(event('meeting-q', EventType.meeting, 'dingquiet'))).toBeUndefined();
    expect(await store.appendAll([event('meeting-q', EventType.member, 'dingquiet')])).toEqual([]);
    expect(await storedRows('meeting-q')).toEqual([]);

    const appended = await store.appendAll([
      event('meeting-m', EventType.meeting, 'dingmeetings'),
      event('meeting-m', EventType.member, 'dingmeetings'),
      event('meeting-m', EventType.meeting, 'dingmeetings'),
    ]);
    expect(appended.map((e) => [e.type, e.statusSeqNum, e.deliveries])).toEqual([
      [EventType.meeting, 1, 1],
      [EventType.meeting, 2, 1],
    ]);
    expect(await storedRows('meeting-m')).toEqual([1, 2]);
  });

  it('offers only the lowest pending number of each app and meeting as due', async () => {
    const due = await store.due(Number.MAX_SAFE_INTEGER, 1000);
    const lanes = due.map((d) => `${d.appKey}/${d.event.conferenceId}`);
    expect(new Set(lanes).size).toBe(lanes.length);
    expect(due.filter((d) => d.appKey === 'all').map((d) => [d.event.conferenceId, d.event.statusSeqNum]).sort()).toEqual([
      ['meeting-a', 1],
      ['meeting-b', 1],
      ['meeting-c', 1],
    ]);
  });
});

function stored<T>(e: T | undefined): T {
  if (e === undefined) throw new Error('the event was not stored');
  return e;
}
