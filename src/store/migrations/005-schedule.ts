import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from '../dialect.js';

/** Booked meetings (CreateScheduleConference); their instances are rows of `meetings` with schedule_conference_id. */
export const schedule: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('schedule_conferences')
      .addColumn('schedule_conference_id', 'text', (c) => c.primaryKey())
      .addColumn('corp_id', 'text', (c) => c.notNull())
      .addColumn('creator_union_id', 'text', (c) => c.notNull())
      .addColumn('creator_nick', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('end_time', 'bigint', (c) => c.notNull())
      .addColumn('room_code', 'text', (c) => c.notNull())
      .addColumn('join_token', 'text', (c) => c.notNull())
      .addColumn('conference_password', 'text', (c) => c.notNull())
      .addColumn('host_password', 'text', (c) => c.notNull())
      .addColumn('cancelled', 'boolean', (c) => c.notNull())
      // The scheduleConfSettingModel as last sent (JSON); null = none sent.
      .addColumn('settings', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // Room codes are unique among bookings that are not cancelled.
    await db.schema
      .createIndex('schedule_conferences_live_room_code')
      .on('schedule_conferences')
      .column('room_code')
      .unique()
      .where(sql.ref('cancelled'), '=', notCancelled(db))
      .execute();
    // Every link admission looks the room code up here, cancelled bookings included (src/domain/schedule.ts).
    await db.schema.createIndex('schedule_conferences_room_code').on('schedule_conferences').column('room_code').execute();
  },
};

/** PostgreSQL compares a boolean column with a boolean only; SQLite stores false as 0 (and existing databases have the index so). */
function notCancelled(db: Kysely<any>) {
  return isPostgres(db) ? sql.lit(false) : 0;
}
