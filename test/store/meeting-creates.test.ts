/** Meeting creation on a real SQLite file: group commit, failures that stay alone, events only for subscribers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/domain/directory.js';
import { SqlDirectoryRepository } from '../../src/store/directory-repo.js';
import { SqlMeetingRepository } from '../../src/store/meeting-repo.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import { SqliteMeetingCreates } from '../../src/store/sqlite-meeting-creates.js';
import { openSqliteStore, SQLITE_FILE } from '../../src/store/sqlite.js';
import { RoomCodeTaken } from '../../src/domain/ports/index.js';
import { meeting } from '../support/meeting-drafts.js';

let dir: string;
let db: Kysely<Database>;
let creates: SqliteMeetingCreates;
let repo: SqlMeetingRepository;
let closed = false;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vconf-creates-'));
  const store = openSqliteStore(dir);
  db = store.db;
  closed = false;
  await migrateToLatest(db);
  await new SqlDirectoryRepository(db).apply(
    parseDirectory({
      orgs: [
        { corpId: 'dingquiet', name: 'Quiet', apps: [{ appKey: 'quiet-app', appSecret: 'x', scopes: [] }] },
        {
          corpId: 'dingloud',
          name: 'Loud',
          apps: [{ appKey: 'loud-app', appSecret: 'x', scopes: [], eventCallback: { url: 'http://127.0.0.1:9/e', secret: 'loud-secret-0123456789' } }],
        },
      ],
    }),
  );
  creates = new SqliteMeetingCreates(db, store.file);
  repo = new SqlMeetingRepository(db, creates);
});

afterEach(async () => {
  if (!closed) await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** What another connection (another process, say) sees on disk. */
function onDisk<T>(query: string, ...params: unknown[]): T[] {
  const reader = new SqliteDatabase(join(dir, SQLITE_FILE), { readonly: true });
  try {
    return reader.prepare(query).all(...params) as T[];
  } finally {
    reader.close();
  }
}

describe('creating meetings on SQLite', () => {
  it('commits the creates of one turn of the event loop in one transaction, and each is on disk when answered', async () => {
    const drafts = Array.from({ length: 20 }, () => meeting());
    await Promise.all(drafts.map((d) => repo.create(d.meeting, d.members, d.events)));
    expect(creates.stats).toEqual({ commits: 1, meetings: 20 });

    const ids = drafts.map((d) => d.meeting.conferenceId);
    const stored = onDisk<{ conference_id: string; n: number }>(
      `select m.conference_id, count(mm.member_id) as n from meetings m join meeting_members mm using (conference_id)
        where m.conference_id in (${ids.map(() => '?').join(',')}) group by m.conference_id`,
      ...ids,
    );
    expect(stored.map((r) => r.conference_id).sort()).toEqual([...ids].sort());
    expect(stored.every((r) => r.n === 2)).toBe(true);
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

    const meetings = onDisk<{ conference_id: string }>('select conference_id from meetings where conference_id in (?, ?, ?)', first.meeting.conferenceId, clash.meeting.conferenceId, last.meeting.conferenceId);
    expect(meetings.map((r) => r.conference_id).sort()).toEqual([first.meeting.conferenceId, last.meeting.conferenceId].sort());
    // Nothing of the refused one: no member records either.
    expect(onDisk('select * from meeting_members where conference_id = ?', clash.meeting.conferenceId)).toEqual([]);
  });

  it('stores a new meeting’s events, numbered from 1 with one delivery each, only when an app of its organization subscribes', async () => {
    const quiet = meeting('dingquiet');
    const loud = meeting('dingloud');
    const [quietEvents, loudEvents] = await Promise.all([quiet, loud].map((d) => repo.create(d.meeting, d.members, d.events)));

    expect(quietEvents).toEqual([]);
    expect(onDisk('select * from events where conference_id = ?', quiet.meeting.conferenceId)).toEqual([]);

    expect(loudEvents!.map((e) => [e.changeScene, e.statusSeqNum, e.deliveries])).toEqual([
      ['conference_created', 1, 1],
      ['user_invited', 2, 1],
    ]);
    const rows = onDisk<{ seq: number; change_scene: string; data: string; app_key: string; state: string }>(
      `select e.seq, e.change_scene, e.data, d.app_key, d.state from events e join event_deliveries d using (event_id)
        where e.conference_id = ? order by e.seq`,
      loud.meeting.conferenceId,
    );
    expect(rows.map((r) => [r.seq, r.change_scene, JSON.parse(r.data).probe, r.app_key, r.state])).toEqual([
      [1, 'conference_created', 'conference_created', 'loud-app', 'pending'],
      [2, 'user_invited', 'user_invited', 'loud-app', 'pending'],
    ]);
  });

  it('refuses creates queued when the database closes, and writes nothing for them', async () => {
    const d = meeting();
    const pending = repo.create(d.meeting, d.members, d.events);
    closed = true;
    await db.destroy();
    await expect(pending).rejects.toThrow();
    expect(onDisk('select * from meetings where conference_id = ?', d.meeting.conferenceId)).toEqual([]);
  });
});
