import type { Kysely, Migration } from 'kysely';

/** Presence: which browser a member uses, bans by the host, and the start of the current visit. */
export const presence: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('meeting_members').addColumn('device_id', 'text').execute();
    await db.schema.alterTable('meeting_members').addColumn('banned', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
    await db.schema.alterTable('meeting_members').addColumn('visit_started_at', 'bigint').execute();
    await db.schema.createIndex('meeting_members_device').on('meeting_members').columns(['conference_id', 'device_id']).execute();
    await db.schema.createIndex('meetings_room_code').on('meetings').column('room_code').execute();
  },
};
