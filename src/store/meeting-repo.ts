import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import { AttendStatus, MeetingStatus, memberRecord, type Meeting, type Member } from '../domain/meeting.js';
import { RoomCodeTaken, type MeetingFilter, type MeetingKey, type MeetingRepository } from '../domain/ports.js';
import type { Database, MeetingMembersTable, MeetingsTable } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';
import { appendEventsIn } from './event-repo.js';
import type { AppendedEvent, NewEvent } from '../domain/events.js';

export class SqlMeetingRepository implements MeetingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(meeting: Meeting, members: readonly Member[], events: readonly NewEvent[] = []): Promise<AppendedEvent[]> {
    try {
      // The meeting, its members and the events announcing them commit together, or not at all.
      return await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('meetings').values(meetingRow(meeting)).execute();
        if (members.length > 0) await tx.insertInto('meeting_members').values(members.map(memberRow)).execute();
        return appendEventsIn(tx, events);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'room_code')) throw new RoomCodeTaken();
      throw err;
    }
  }

  async find(conferenceId: string): Promise<Meeting | undefined> {
    const row = await this.db.selectFrom('meetings').selectAll().where('conference_id', '=', conferenceId).executeTakeFirst();
    return row && toMeeting(row);
  }

  async findByRoomCode(roomCode: string): Promise<Meeting[]> {
    const rows = await this.db
      .selectFrom('meetings')
      .selectAll()
      .where('room_code', '=', roomCode)
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute();
    return rows.map(toMeeting);
  }

  async findMember(conferenceId: string, memberId: string): Promise<Member | undefined> {
    const row = await this.db
      .selectFrom('meeting_members')
      .selectAll()
      .where('conference_id', '=', conferenceId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
    return row && toMember(row);
  }

  async isDeviceBanned(conferenceId: string, deviceId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('meeting_members')
      .select('member_id')
      .where('conference_id', '=', conferenceId)
      .where('device_id', '=', deviceId)
      .where('banned', '=', 1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async insertMember(member: Member): Promise<void> {
    await this.db.insertInto('meeting_members').values(memberRow(member)).execute();
  }

  async updateMember(conferenceId: string, memberId: string, patch: Partial<Omit<Member, 'conferenceId' | 'memberId'>>): Promise<void> {
    const full = memberRow(memberRecord({ conferenceId, memberId, nick: '', ...patch }));
    const set = Object.fromEntries(
      Object.keys(patch).map((k) => {
        const column = memberColumns[k as keyof typeof memberColumns];
        return [column, full[column]];
      }),
    );
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('meeting_members').set(set).where('conference_id', '=', conferenceId).where('member_id', '=', memberId).execute();
  }

  async markStarted(conferenceId: string, at: number): Promise<void> {
    await this.db
      .updateTable('meetings')
      .set({ status: MeetingStatus.started, start_time: at })
      .where('conference_id', '=', conferenceId)
      .where('status', '=', MeetingStatus.initialised)
      .execute();
  }

  async markEnded(conferenceId: string, at: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('meetings')
        .set({ status: MeetingStatus.ended, end_time: at })
        .where('conference_id', '=', conferenceId)
        .where('status', '<>', MeetingStatus.ended)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      const inRoom = await tx
        .selectFrom('meeting_members')
        .select(['member_id', 'duration', 'visit_started_at'])
        .where('conference_id', '=', conferenceId)
        .where('attend_status', '=', AttendStatus.active)
        .execute();
      for (const m of inRoom) {
        const visit = m.visit_started_at === null ? 0 : Math.max(0, at - Number(m.visit_started_at));
        await tx
          .updateTable('meeting_members')
          .set({ attend_status: AttendStatus.left, leave_time: at, duration: Number(m.duration) + visit, visit_started_at: null })
          .where('conference_id', '=', conferenceId)
          .where('member_id', '=', m.member_id)
          .execute();
      }
      // Invitees who never answered stop ringing when the meeting ends.
      await tx
        .updateTable('meeting_members')
        .set({ attend_status: AttendStatus.failed })
        .where('conference_id', '=', conferenceId)
        .where('attend_status', '=', AttendStatus.calling)
        .execute();
      return true;
    });
  }

  async members(conferenceId: string): Promise<Member[]> {
    const rows = await this.db
      .selectFrom('meeting_members')
      .selectAll()
      .where('conference_id', '=', conferenceId)
      .orderBy('member_id')
      .execute();
    return rows.map(toMember);
  }

  async findMany(conferenceIds: readonly string[]): Promise<Meeting[]> {
    if (conferenceIds.length === 0) return [];
    const rows = await this.db.selectFrom('meetings').selectAll().where('conference_id', 'in', [...conferenceIds]).execute();
    return rows.map(toMeeting);
  }

  async membersOf(conferenceIds: readonly string[]): Promise<Member[]> {
    if (conferenceIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('meeting_members')
      .selectAll()
      .where('conference_id', 'in', [...conferenceIds])
      .orderBy('conference_id')
      .orderBy('member_id')
      .execute();
    return rows.map(toMember);
  }

  async memberPage(conferenceId: string, afterMemberId: string | null, limit: number): Promise<Member[]> {
    let query = this.db.selectFrom('meeting_members').selectAll().where('conference_id', '=', conferenceId);
    if (afterMemberId !== null) query = query.where('member_id', '>', afterMemberId);
    const rows = await query.orderBy('member_id').limit(limit).execute();
    return rows.map(toMember);
  }

  async countMembers(conferenceId: string): Promise<number> {
    const row = await this.db
      .selectFrom('meeting_members')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('conference_id', '=', conferenceId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async meetingPage(filter: MeetingFilter, after: MeetingKey | null, limit: number): Promise<Meeting[]> {
    let query = filtered(this.db.selectFrom('meetings').selectAll(), filter);
    if (after !== null) {
      // Keyset continuation in (created_at, conference_id) descending order; portable SQL.
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('conference_id', '<', after.conferenceId)]),
        ]),
      );
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('conference_id', 'desc').limit(limit).execute();
    return rows.map(toMeeting);
  }

  async countMeetings(filter: MeetingFilter): Promise<number> {
    const row = await filtered(this.db.selectFrom('meetings').select((eb) => eb.fn.countAll().as('n')), filter).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async activeMemberships(unionId: string): Promise<Member[]> {
    const rows = await this.db
      .selectFrom('meeting_members')
      .selectAll()
      .where('union_id', '=', unionId)
      .where('attend_status', '=', AttendStatus.active)
      .orderBy('conference_id')
      .execute();
    return rows.map(toMember);
  }
}

/** Applies the set fields of a listing filter to a query over `meetings`. */
function filtered<Q extends SelectQueryBuilder<Database, 'meetings', any>>(query: Q, filter: MeetingFilter): Q {
  let q = query;
  if (filter.corpId !== undefined) q = q.where('corp_id', '=', filter.corpId) as Q;
  if (filter.roomCode !== undefined) q = q.where('room_code', '=', filter.roomCode) as Q;
  if (filter.status !== undefined) q = q.where('status', '=', filter.status) as Q;
  return q;
}

const flag = (b: boolean): number => (b ? 1 : 0);

/** Domain field → column, for partial updates. */
const memberColumns = {
  unionId: 'union_id',
  corpId: 'corp_id',
  nick: 'nick',
  host: 'host',
  coHost: 'co_host',
  attendStatus: 'attend_status',
  invitedAt: 'invited_at',
  joinTime: 'join_time',
  leaveTime: 'leave_time',
  duration: 'duration',
  outerOrgMember: 'outer_org_member',
  pstnJoin: 'pstn_join',
  deviceId: 'device_id',
  banned: 'banned',
  visitStartedAt: 'visit_started_at',
} as const satisfies Record<keyof Omit<Member, 'conferenceId' | 'memberId'>, keyof MeetingMembersTable>;
const millis = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));

function meetingRow(m: Meeting): MeetingsTable {
  return {
    conference_id: m.conferenceId,
    corp_id: m.corpId,
    title: m.title,
    status: m.status,
    biz_type: m.bizType,
    creator_union_id: m.creatorUnionId,
    creator_nick: m.creatorNick,
    room_code: m.roomCode,
    conference_password: m.conferencePassword,
    host_password: m.hostPassword,
    join_token: m.joinToken,
    invite_caller: flag(m.inviteCaller),
    created_at: m.createdAt,
    start_time: m.startTime,
    end_time: m.endTime,
    schedule_conference_id: m.scheduleConferenceId,
  };
}

function memberRow(m: Member): MeetingMembersTable {
  return {
    conference_id: m.conferenceId,
    member_id: m.memberId,
    union_id: m.unionId,
    corp_id: m.corpId,
    nick: m.nick,
    host: flag(m.host),
    co_host: flag(m.coHost),
    attend_status: m.attendStatus,
    invited_at: m.invitedAt,
    join_time: m.joinTime,
    leave_time: m.leaveTime,
    duration: m.duration,
    outer_org_member: flag(m.outerOrgMember),
    pstn_join: flag(m.pstnJoin),
    device_id: m.deviceId,
    banned: flag(m.banned),
    visit_started_at: m.visitStartedAt,
  };
}

function toMeeting(r: Selectable<MeetingsTable>): Meeting {
  return {
    conferenceId: r.conference_id,
    corpId: r.corp_id,
    title: r.title,
    status: r.status as MeetingStatus,
    bizType: r.biz_type,
    creatorUnionId: r.creator_union_id,
    creatorNick: r.creator_nick,
    roomCode: r.room_code,
    conferencePassword: r.conference_password,
    hostPassword: r.host_password,
    joinToken: r.join_token,
    inviteCaller: Boolean(r.invite_caller),
    createdAt: Number(r.created_at),
    startTime: millis(r.start_time),
    endTime: millis(r.end_time),
    scheduleConferenceId: r.schedule_conference_id,
  };
}

function toMember(r: Selectable<MeetingMembersTable>): Member {
  return {
    conferenceId: r.conference_id,
    memberId: r.member_id,
    unionId: r.union_id,
    corpId: r.corp_id,
    nick: r.nick,
    host: Boolean(r.host),
    coHost: Boolean(r.co_host),
    attendStatus: r.attend_status as AttendStatus,
    invitedAt: millis(r.invited_at),
    joinTime: millis(r.join_time),
    leaveTime: millis(r.leave_time),
    duration: Number(r.duration),
    outerOrgMember: Boolean(r.outer_org_member),
    pstnJoin: Boolean(r.pstn_join),
    deviceId: r.device_id,
    banned: Boolean(r.banned),
    visitStartedAt: millis(r.visit_started_at),
  };
}
