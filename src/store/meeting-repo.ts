import type { Kysely, SelectQueryBuilder } from 'kysely';
import { NETWORK_BAR_MS } from '../domain/removal.js';
import { AttendStatus, MeetingStatus, memberRecord, type Meeting, type Member } from '../domain/meeting.js';
import type { Database } from './schema.js';
import { memberColumns, memberRow, meetingRow, toMeeting, toMember } from './meeting-rows.js';
import { isUniqueViolation } from './unique-violation.js';
import { TransactionalMeetingCreates, type MeetingCreates } from './meeting-creates.js';
import type { AppendedEvent, NewEvent } from '../domain/events.js';
import { RoomCodeTaken, type MeetingFilter, type MeetingKey, type MeetingRepository } from '../domain/ports/index.js';

export class SqlMeetingRepository implements MeetingRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** The embedded store passes its group-committing writer; any dialect can use one transaction per meeting. */
    private readonly creates: MeetingCreates = new TransactionalMeetingCreates(db),
  ) {}

  async create(meeting: Meeting, members: readonly Member[], events: readonly NewEvent[] = []): Promise<AppendedEvent[]> {
    try {
      // The meeting, its members and the events announcing them commit together, or not at all.
      return await this.creates.create(meeting, members, events);
    } catch (err) {
      if (isUniqueViolation(err, 'room_code')) throw new RoomCodeTaken();
      throw err;
    }
  }

  /** Meetings by id (= creation order) after `afterId` and before `beforeId`: for the expiry of unused meetings. */
  async createdBetween(afterId: string, beforeId: string, limit: number): Promise<Array<{ conferenceId: string; unused: boolean }>> {
    const rows = await this.db
      .selectFrom('meetings')
      .select(['conference_id', 'status', 'schedule_conference_id'])
      .where('conference_id', '>', afterId)
      .where('conference_id', '<', beforeId)
      .orderBy('conference_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ conferenceId: r.conference_id, unused: r.status === MeetingStatus.initialised && r.schedule_conference_id === null }));
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
    return this.hasDeviceRecord(conferenceId, deviceId, 1);
  }

  async isUnionBanned(conferenceId: string, corpId: string, unionId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('meeting_members')
      .select('member_id')
      .where('conference_id', '=', conferenceId)
      .where('union_id', '=', unionId)
      .where('corp_id', '=', corpId)
      .where('banned', '=', 1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async isDeviceMember(conferenceId: string, deviceId: string): Promise<boolean> {
    return this.hasDeviceRecord(conferenceId, deviceId, 0);
  }

  /** Whether this browser holds a member record of the meeting, barred (1) or not (0). */
  private async hasDeviceRecord(conferenceId: string, deviceId: string, banned: 0 | 1): Promise<boolean> {
    const row = await this.db
      .selectFrom('meeting_members')
      .select('member_id')
      .where('conference_id', '=', conferenceId)
      .where('device_id', '=', deviceId)
      .where('banned', '=', banned)
      .executeTakeFirst();
    return row !== undefined;
  }

  async barNetwork(conferenceId: string, network: string, until: number): Promise<void> {
    const row = { conference_id: conferenceId, kind: 'network', value: network, until };
    await this.db
      .insertInto('meeting_bars')
      .values(row)
      .onConflict((oc) => oc.columns(['conference_id', 'kind', 'value']).doUpdateSet({ until }))
      .execute();
  }

  async networkBarredSince(conferenceId: string, network: string, now: number): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('meeting_bars')
      .select('until')
      .where('conference_id', '=', conferenceId)
      .where('kind', '=', 'network')
      .where('value', '=', network)
      .where('until', '>', now)
      .executeTakeFirst();
    return row ? Number(row.until) - NETWORK_BAR_MS : undefined;
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
        .set({ status: MeetingStatus.ended, end_time: at, room_code_released: conferenceId })
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
