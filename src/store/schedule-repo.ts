import type { Kysely, Selectable } from 'kysely';
import { BookingCodeTaken, type Booking } from '../domain/schedule.js';
import type { Database, ScheduleConferencesTable } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';
import type { BookingRepository } from '../domain/ports/index.js';

/** Booked meetings in `schedule_conferences` (migration 005). */
export class SqlBookingRepository implements BookingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(b: Booking): Promise<void> {
    try {
      await this.db.insertInto('schedule_conferences').values(toRow(b)).execute();
    } catch (err) {
      if (isUniqueViolation(err, 'room_code')) throw new BookingCodeTaken();
      throw err;
    }
  }

  async find(id: string): Promise<Booking | undefined> {
    const row = await this.db.selectFrom('schedule_conferences').selectAll().where('schedule_conference_id', '=', id).executeTakeFirst();
    return row && toBooking(row);
  }

  async findByRoomCode(roomCode: string): Promise<Booking[]> {
    const rows = await this.db.selectFrom('schedule_conferences').selectAll().where('room_code', '=', roomCode).orderBy('created_at', 'desc').limit(20).execute();
    return rows.map(toBooking);
  }

  async update(id: string, patch: Partial<Pick<Booking, 'title' | 'startTime' | 'endTime' | 'cancelled' | 'settings'>>): Promise<void> {
    const set: Partial<ScheduleConferencesTable> = {
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.startTime !== undefined ? { start_time: patch.startTime } : {}),
      ...(patch.endTime !== undefined ? { end_time: patch.endTime } : {}),
      ...(patch.cancelled !== undefined ? { cancelled: patch.cancelled ? 1 : 0 } : {}),
      ...(patch.settings !== undefined ? { settings: patch.settings === null ? null : JSON.stringify(patch.settings) } : {}),
    };
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('schedule_conferences').set(set).where('schedule_conference_id', '=', id).execute();
  }
}

function toRow(b: Booking): ScheduleConferencesTable {
  return {
    schedule_conference_id: b.scheduleConferenceId,
    corp_id: b.corpId,
    creator_union_id: b.creatorUnionId,
    creator_nick: b.creatorNick,
    title: b.title,
    start_time: b.startTime,
    end_time: b.endTime,
    room_code: b.roomCode,
    join_token: b.joinToken,
    conference_password: b.conferencePassword,
    host_password: b.hostPassword,
    cancelled: b.cancelled ? 1 : 0,
    settings: b.settings === null ? null : JSON.stringify(b.settings),
    created_at: b.createdAt,
  };
}

function toBooking(r: Selectable<ScheduleConferencesTable>): Booking {
  return {
    scheduleConferenceId: r.schedule_conference_id,
    corpId: r.corp_id,
    creatorUnionId: r.creator_union_id,
    creatorNick: r.creator_nick,
    title: r.title,
    startTime: Number(r.start_time),
    endTime: Number(r.end_time),
    roomCode: r.room_code,
    joinToken: r.join_token,
    conferencePassword: r.conference_password,
    hostPassword: r.host_password,
    cancelled: Boolean(r.cancelled),
    settings: r.settings === null ? null : (JSON.parse(r.settings) as Booking['settings']),
    createdAt: Number(r.created_at),
  };
}
