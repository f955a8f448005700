import type { Kysely, Migration } from 'kysely';

/** In-meeting settings (lock, mute all, screen-share ban, internal only, host hand-over, spotlight); one row per meeting once set. */
export const meetingSettings: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('meeting_settings')
      .addColumn('conference_id', 'text', (c) => c.primaryKey().references('meetings.conference_id'))
      .addColumn('locked', 'boolean', (c) => c.notNull())
      .addColumn('mute_all', 'boolean', (c) => c.notNull())
      .addColumn('allow_unmute_self', 'boolean', (c) => c.notNull())
      .addColumn('forbidden_share_screen', 'boolean', (c) => c.notNull())
      .addColumn('only_internal', 'boolean', (c) => c.notNull())
      .addColumn('auto_transfer_host', 'boolean', (c) => c.notNull())
      .addColumn('focus', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
