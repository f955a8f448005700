import type { Kysely, Migration } from 'kysely';

/** Issue 10: the waiting room, a meeting setting the host toggles in the room (newcomers knock). */
export const waitingRoom: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('meeting_settings').addColumn('waiting_room', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  },
};
