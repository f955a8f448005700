/**
 * Every query of the meeting repository reaches its rows through an index, on a real SQLite file
 * with the schema of every migration (including 008, which dropped the indexes longer ones cover).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeetingStatus } from '../../src/domain/meeting.js';
import { SqlMeetingRepository } from '../../src/store/meeting-repo.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';

let dir: string;
let file: SqliteDatabase.Database;
let db: Kysely<Database>;
const seen: { sql: string; parameters: readonly unknown[] }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vconf-plans-'));
  file = new SqliteDatabase(join(dir, 'plans.sqlite'));
  db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: file }),
    log: (event) => {
      if (event.level === 'query') seen.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  await migrateToLatest(db);
});
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('query plans of the meeting repository', () => {
  it('search meetings and member records by index, never by scanning the table', async () => {
    const repo = new SqlMeetingRepository(db);
    seen.length = 0;
    const id = '0192f0a0b0c0aaaabbbbccccddddeeeeffff';
    await repo.find(id);
    await repo.findByRoomCode('12345678901');
    await repo.findMember(id, 'm1');
    await repo.isDeviceBanned(id, 'device-1');
    await repo.members(id);
    await repo.findMany([id, 'other']);
    await repo.membersOf([id, 'other']);
    await repo.memberPage(id, 'm1', 50);
    await repo.countMembers(id);
    await repo.meetingPage({ corpId: 'dingacme', status: MeetingStatus.started }, { createdAt: 1, conferenceId: id }, 50);
    await repo.countMeetings({ corpId: 'dingacme', status: MeetingStatus.started });
    await repo.activeMemberships('u1');
    expect(seen.length).toBeGreaterThanOrEqual(12);

    const plans = seen.map(({ sql, parameters }) => ({
      sql,
      plan: (file.prepare(`explain query plan ${sql}`).all(...parameters) as { detail: string }[]).map((r) => r.detail),
    }));
    const scans = plans.filter((p) => p.plan.some((d) => /^SCAN (meetings|meeting_members)\b/.test(d)));
    expect(scans).toEqual([]);
    // The organization's listing walks its index in order instead of sorting.
    const listing = plans.find((p) => p.sql.includes('"corp_id" = ?') && p.sql.includes('order by "created_at" desc, "conference_id" desc'));
    expect(listing?.plan.join(' | ')).toMatch(/meetings_org_status_created/);
    expect(listing?.plan.join(' | ')).not.toMatch(/TEMP B-TREE/);
  });
});
