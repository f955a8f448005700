import { sql, type Kysely, type SqlBool } from 'kysely';
import { AttendStatus, MeetingStatus } from '../domain/meeting.js';
import { joinPath } from '../domain/meetings.js';
import type { BookedMeeting, CallingMember, OngoingMeeting, RingSource } from '../domain/user-meetings.js';
import { isPostgres } from './dialect.js';
import type { Database } from './schema.js';
import type { UserMeetingsStore } from '../domain/ports/index.js';

/** A signed-in user's view of meetings (/api/me) and their invitations (ringing, decline). */
export class SqlUserMeetings implements UserMeetingsStore {
  /** Host and co-hosts named in a booking's settings (JSON text): each dialect reads JSON its own way. */
  private readonly namedIn;

  constructor(private readonly db: Kysely<Database>) {
    this.namedIn = isPostgres(db) ? namedInPostgres : namedInSqlite;
  }

  async meeting(conferenceId: string): Promise<RingSource | undefined> {
    const r = await this.db
      .selectFrom('meetings')
      .select(['conference_id', 'title', 'room_code', 'join_token', 'creator_nick'])
      .where('conference_id', '=', conferenceId)
      .executeTakeFirst();
    return r && { conferenceId: r.conference_id, title: r.title, roomCode: r.room_code, joinToken: r.join_token, creatorNick: r.creator_nick };
  }

  async ongoing(corpId: string, unionId: string): Promise<OngoingMeeting[]> {
    const mine = this.db.selectFrom('meeting_members').select('conference_id').where('union_id', '=', unionId).where('corp_id', '=', corpId);
    const rows = await this.db
      .selectFrom('meetings as m')
      .leftJoin('meeting_members as mm', (j) => j.onRef('mm.conference_id', '=', 'm.conference_id').on('mm.union_id', '=', unionId).on('mm.corp_id', '=', corpId))
      .select(['m.conference_id', 'm.title', 'm.status', 'm.room_code', 'm.join_token', 'm.creator_union_id', 'm.creator_nick', 'm.corp_id', 'm.created_at', 'mm.attend_status'])
      .where('m.status', 'in', [MeetingStatus.initialised, MeetingStatus.started])
      .where((eb) => eb.or([eb.and([eb('m.creator_union_id', '=', unionId), eb('m.corp_id', '=', corpId)]), eb('m.conference_id', 'in', mine)]))
      .orderBy('m.created_at', 'desc')
      .limit(100)
      .execute();
    // A member record per person and meeting is the norm; keep the first should there be more.
    const seen = new Set<string>();
    return rows
      .filter((r) => !seen.has(r.conference_id) && seen.add(r.conference_id))
      .map((r) => ({
        conferenceId: r.conference_id,
        title: r.title,
        status: r.status as OngoingMeeting['status'],
        roomCode: r.room_code,
        joinPath: joinPath({ roomCode: r.room_code, joinToken: r.join_token }),
        organizer: r.creator_nick,
        isOrganizer: r.creator_union_id === unionId && r.corp_id === corpId,
        attendStatus: (r.attend_status ?? null) as OngoingMeeting['attendStatus'],
        createdAt: Number(r.created_at),
      }));
  }

  async booked(corpId: string, unionId: string, now: number): Promise<BookedMeeting[]> {
    const rows = await this.db
      .selectFrom('schedule_conferences')
      .selectAll()
      .where('corp_id', '=', corpId)
      .where('cancelled', '=', 0)
      .where('end_time', '>', now)
      .where((eb) =>
        eb.or([
          eb('creator_union_id', '=', unionId),
          // Host and co-hosts named in the booking's settings also see it.
          ...this.namedIn(unionId),
        ]),
      )
      .orderBy('start_time')
      .limit(100)
      .execute();
    return rows.map((r) => ({
      scheduleConferenceId: r.schedule_conference_id,
      title: r.title,
      startTime: Number(r.start_time),
      endTime: Number(r.end_time),
      roomCode: r.room_code,
      joinPath: joinPath({ roomCode: r.room_code, joinToken: r.join_token }),
      organizer: r.creator_nick,
    }));
  }

  async calling(conferenceId: string, unionIds?: readonly string[]): Promise<CallingMember[]> {
    let q = this.db
      .selectFrom('meeting_members')
      .select(['union_id', 'corp_id'])
      .where('conference_id', '=', conferenceId)
      .where('attend_status', '=', AttendStatus.calling)
      .where('union_id', 'is not', null);
    if (unionIds) {
      if (unionIds.length === 0) return [];
      q = q.where('union_id', 'in', [...unionIds]);
    }
    const rows = await q.execute();
    return rows.map((r) => ({ unionId: r.union_id ?? '', corpId: r.corp_id ?? '' }));
  }

  async decline(conferenceId: string, corpId: string, unionId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('meeting_members')
      .set({ attend_status: AttendStatus.failed })
      .where('conference_id', '=', conferenceId)
      .where('union_id', '=', unionId)
      .where('corp_id', '=', corpId)
      .where('attend_status', '=', AttendStatus.calling)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

const namedInSqlite = (unionId: string) => [
  sql<SqlBool>`(json_extract(settings, '$.hostUnionId') = ${unionId})`,
  sql<SqlBool>`exists (select 1 from json_each(settings, '$.cohostUnionIds') where value = ${unionId})`,
];

const namedInPostgres = (unionId: string) => [
  sql<SqlBool>`((settings::jsonb ->> 'hostUnionId') = ${unionId})`,
  sql<SqlBool>`exists (select 1 from jsonb_array_elements_text(settings::jsonb -> 'cohostUnionIds') v where v = ${unionId})`,
];
