/**
 * Room codes on a real SQLite file: one live meeting per code, any number of ended ones, and
 * migration 010 carrying existing meetings over to the single (room_code, room_code_released) index.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttendStatus, BizType, MeetingStatus, memberRecord, newConferenceId, type Meeting } from '../../src/domain/meeting.js';
import { SqlMeetingRepository } from '../../src/store/meeting-repo.js';
import { migrateToLatest, migrateUpTo } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import { SqliteMeetingCreates } from '../../src/store/sqlite-meeting-creates.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { RoomCodeTaken } from '../../src/domain/ports/index.js';

let dir: string;
let store: ReturnType<typeof openSqliteStore>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vconf-room-codes-'));
  store = openSqliteStore(dir);
});
afterEach(async () => {
  await store.db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

let clock = Date.UTC(2026, 10, 27);
function meeting(roomCode: string): Meeting {
  const now = (clock += 1000);
  return {
    conferenceId: newConferenceId(now),
    corpId: 'dingacme',
    title: 'Standup',
    status: MeetingStatus.initialised,
    bizType: BizType.instant,
    creatorUnionId: 'u1',
    creatorNick: 'One',
    roomCode,
    conferencePassword: '1111111111',
    hostPassword: '2222222222',
    joinToken: `t-${now}`,
    inviteCaller: false,
    createdAt: now,
    startTime: null,
    endTime: null,
    scheduleConferenceId: null,
  };
}
const host = (m: Meeting) => [memberRecord({ conferenceId: m.conferenceId, memberId: 'h', unionId: 'u1', corpId: 'dingacme', nick: 'One', host: true, attendStatus: AttendStatus.initialised })];

describe('room codes', () => {
  it('are held by one live meeting at a time and given back when it ends', async () => {
    await migrateToLatest(store.db);
    const repo = new SqlMeetingRepository(store.db, new SqliteMeetingCreates(store.db, store.file));
    const first = meeting('70000000001');
    await repo.create(first, host(first));
    const rival = meeting('70000000001');
    await expect(repo.create(rival, host(rival))).rejects.toBeInstanceOf(RoomCodeTaken);

    expect(await repo.markEnded(first.conferenceId, clock)).toBe(true);
    const second = meeting('70000000001');
    await repo.create(second, host(second));
    expect(await repo.markEnded(second.conferenceId, clock)).toBe(true);
    const third = meeting('70000000001');
    await repo.create(third, host(third));

    const all = await repo.findByRoomCode('70000000001');
    expect(all.map((m) => [m.conferenceId, m.status])).toEqual([
      [third.conferenceId, MeetingStatus.initialised],
      [second.conferenceId, MeetingStatus.ended],
      [first.conferenceId, MeetingStatus.ended],
    ]);
    const again = meeting('70000000001');
    await expect(repo.create(again, host(again))).rejects.toBeInstanceOf(RoomCodeTaken);
  });

  it('keep their meetings through migration 010: ended ones released, the live one still holding its code', async () => {
    await migrateUpTo(store.db, '009-delivery-indexes');
    const db = store.db as Kysely<any>;
    const row = (m: Meeting, status: number) => ({
      conference_id: m.conferenceId,
      corp_id: m.corpId,
      title: m.title,
      status,
      biz_type: m.bizType,
      creator_union_id: m.creatorUnionId,
      creator_nick: m.creatorNick,
      room_code: m.roomCode,
      conference_password: m.conferencePassword,
      host_password: m.hostPassword,
      join_token: m.joinToken,
      invite_caller: 0,
      created_at: m.createdAt,
    });
    const [endedA, endedB, live] = [meeting('80000000001'), meeting('80000000001'), meeting('80000000001')];
    await db.insertInto('meetings').values([row(endedA, MeetingStatus.ended), row(endedB, MeetingStatus.ended), row(live, MeetingStatus.started)]).execute();

    await migrateToLatest(store.db as Kysely<Database>);
    const released = await db.selectFrom('meetings').select(['conference_id', 'room_code_released']).orderBy('created_at').execute();
    expect(released).toEqual([
      { conference_id: endedA.conferenceId, room_code_released: endedA.conferenceId },
      { conference_id: endedB.conferenceId, room_code_released: endedB.conferenceId },
      { conference_id: live.conferenceId, room_code_released: '' },
    ]);
    const repo = new SqlMeetingRepository(store.db, new SqliteMeetingCreates(store.db, store.file));
    const rival = meeting('80000000001');
    await expect(repo.create(rival, host(rival))).rejects.toBeInstanceOf(RoomCodeTaken);
    const indexes = store.file.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'meetings' and name like '%room_code%'`).all();
    expect(indexes).toEqual([{ name: 'meetings_room_code_unique' }]);
  });
});
