/** Meeting creation on PostgreSQL: one transaction per turn of the event loop, failures that stay alone, events only for subscribers. */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/domain/directory.js';
import { memberRecord } from '../../src/domain/meeting.js';
import { SqlDirectoryRepository } from '../../src/store/directory-repo.js';
import { SqlMeetingRepository } from '../../src/store/meeting-repo.js';
import type { Store } from '../../src/store/open-store.js';
import type { PostgresMeetingCreates } from '../../src/store/postgres-meeting-creates.js';
import { failInserts, rowsOf } from '../support/db-peek.js';
import { meeting } from '../support/meeting-drafts.js';
import { requires } from '../support/requirements.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { RoomCodeTaken } from '../../src/domain/ports/index.js';

const ready = await requires(import.meta.url, 'postgres');

let opened: TestStore;
let store: Store;
/** Another instance's pool on the same database: what it sees is committed. */
let other: Store;
let creates: PostgresMeetingCreates;
let repo: SqlMeetingRepository;

describe.skipIf(!ready)('creating meetings on PostgreSQL', () => {
  beforeEach(async () => {
    opened = await openTestStore('vconf-pg-creates-');
    store = opened.store;
    other = await opened.another();
    await new SqlDirectoryRepository(store.db).apply(
      parseDirectory({
        orgs: [
          { corpId: 'dingquiet', name: 'Quiet', apps: [{ appKey: 'quiet-app', appSecret: 'x', scopes: [] }] },
          {
            corpId: 'dingloud',
            name: 'Loud',
            apps: [
              { appKey: 'loud-app', appSecret: 'x', scopes: [], eventCallback: { url: 'http://127.0.0.1:9/e', secret: 'loud-secret-0123456789' } },
              { appKey: 'loud-meetings', appSecret: 'x', scopes: [], eventCallback: { url: 'http://127.0.0.1:9/m', secret: 'loud-secret-0123456789', events: ['meeting_status_change'] } },
            ],
          },
        ],
      }),
    );
    expect(store.dialect).toBe('postgres');
    creates = store.meetingCreates as PostgresMeetingCreates;
    repo = new SqlMeetingRepository(store.db, creates);
  });

  afterEach(async () => {
    await opened.close();
  });

  it('commits the creates of one turn of the event loop in one transaction, each committed when answered', async () => {
    const drafts = Array.from({ length: 20 }, (_, i) => meeting(i % 2 ? 'dingloud' : 'dingquiet'));
    await Promise.all(drafts.map((d) => repo.create(d.meeting, d.members, d.events)));
    expect(creates.stats).toEqual({ commits: 1, meetings: 20 });

    const ids = drafts.map((d) => d.meeting.conferenceId);
    const stored = await rowsOf<{ conference_id: string; n: number }>(
      other.db,
      sql`select m.conference_id, count(mm.member_id) as n from meetings m join meeting_members mm using (conference_id)
           where m.conference_id in (${sql.join(ids)}) group by m.conference_id`,
    );
    expect(stored.map((r) => r.conference_id).sort()).toEqual([...ids].sort());
    expect(stored.every((r) => r.n === 2)).toBe(true);
    // Loud meetings: 2 events each; one app takes both, the other only the meeting's.
    const deliveries = await rowsOf<{ n: number }>(other.db, sql`select count(*) as n from event_deliveries`);
    expect(deliveries).toEqual([{ n: 10 * 3 }]);
  });

  it('commits creates of later turns in later transactions', async () => {
    for (let i = 0; i < 3; i++) {
      const d = meeting();
      await repo.create(d.meeting, d.members, d.events);
    }
    expect(creates.stats).toEqual({ commits: 3, meetings: 3 });
  });

  it('fails only the create whose room code a live meeting holds; the others of its batch are kept', async () => {
    const holder = meeting('dingquiet', '55555555555');
    await repo.create(holder.meeting, holder.members, holder.events);

    const [first, clash, last] = [meeting(), meeting('dingquiet', '55555555555'), meeting()];
    const results = await Promise.allSettled([first, clash, last].map((d) => repo.create(d.meeting, d.members, d.events)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RoomCodeTaken);

    const ids = [first, clash, last].map((d) => d.meeting.conferenceId);
    const meetings = await rowsOf<{ conference_id: string }>(other.db, sql`select conference_id from meetings where conference_id in (${sql.join(ids)})`);
    expect(meetings.map((r) => r.conference_id).sort()).toEqual([first.meeting.conferenceId, last.meeting.conferenceId].sort());
    expect(await rowsOf(other.db, sql`select * from meeting_members where conference_id = ${clash.meeting.conferenceId}`)).toEqual([]);
  });

  it('fails only the create whose member insert fails; its meeting and events roll back with it', async () => {
    const drafts = Array.from({ length: 6 }, () => meeting('dingloud'));
    const doomed = drafts[2]!;
    const repair = await failInserts(store.db, 'meeting_members', 'conference_id', doomed.meeting.conferenceId, 'injected member failure');
    const results = await Promise.allSettled(drafts.map((d) => repo.create(d.meeting, d.members, d.events)));
    await repair();
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await rowsOf(other.db, sql`select * from meetings where conference_id = ${doomed.meeting.conferenceId}`)).toEqual([]);
    expect(await rowsOf(other.db, sql`select * from events where conference_id = ${doomed.meeting.conferenceId}`)).toEqual([]);
    const kept = await rowsOf<{ n: number }>(other.db, sql`select count(*) as n from events`);
    expect(kept).toEqual([{ n: 5 * 2 }]);
  });

  it('writes a batch too big for one statement’s parameters in a transaction of several, all or nothing', async () => {
    const crowded = meeting('dingloud');
    const members = Array.from({ length: 4_000 }, (_, i) =>
      memberRecord({ conferenceId: crowded.meeting.conferenceId, memberId: `m${i}`, unionId: `u${i}`, corpId: 'dingloud', nick: `Guest ${i}` }),
    );
    const small = meeting('dingloud');
    await Promise.all([repo.create(crowded.meeting, members, crowded.events), repo.create(small.meeting, small.members, small.events)]);
    expect(creates.stats).toEqual({ commits: 1, meetings: 2 });
    const n = await rowsOf<{ n: number }>(other.db, sql`select count(*) as n from meeting_members where conference_id = ${crowded.meeting.conferenceId}`);
    expect(n).toEqual([{ n: 4_000 }]);

    const doomed = meeting('dingloud');
    const doomedMembers = members.map((m) => ({ ...m, conferenceId: doomed.meeting.conferenceId }));
    const repair = await failInserts(store.db, 'meeting_members', 'member_id', 'm3999', 'injected member failure');
    await expect(repo.create(doomed.meeting, doomedMembers, doomed.events)).rejects.toThrow();
    await repair();
    expect(await rowsOf(other.db, sql`select * from meetings where conference_id = ${doomed.meeting.conferenceId}`)).toEqual([]);
  });

  it('stores a new meeting’s events numbered from 1, with a delivery per subscribed app that takes them', async () => {
    const [quiet, loud] = [meeting('dingquiet'), meeting('dingloud')];
    const [quietEvents, loudEvents] = await Promise.all([quiet, loud].map((d) => repo.create(d.meeting, d.members, d.events)));
    expect(quietEvents).toEqual([]);
    expect(loudEvents!.map((e) => [e.changeScene, e.statusSeqNum, e.deliveries])).toEqual([
      ['conference_created', 1, 2],
      ['user_invited', 2, 1],
    ]);
    const rows = await rowsOf<{ seq: number; app_key: string; state: string }>(
      other.db,
      sql`select e.seq, d.app_key, d.state from events e join event_deliveries d using (event_id) where e.conference_id = ${loud.meeting.conferenceId} order by e.seq, d.app_key`,
    );
    expect(rows).toEqual([
      { seq: 1, app_key: 'loud-app', state: 'pending' },
      { seq: 1, app_key: 'loud-meetings', state: 'pending' },
      { seq: 2, app_key: 'loud-app', state: 'pending' },
    ]);
  });
});
