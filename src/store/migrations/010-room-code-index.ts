import { sql, type Kysely, type Migration } from 'kysely';

/**
 * One index for room codes instead of two. Before: a unique index on room_code over meetings
 * not ended (partial), plus a plain one for looking up every meeting of a code. Now one unique
 * index on (room_code, room_code_released), where room_code_released is '' while the meeting holds
 * its code and its own conference_id once it ended: at most one live meeting per code, any number
 * of ended ones, and the lookup by code uses the same index. Room codes are random, so each of
 * those indexes cost every create a page of its own; portable to PostgreSQL (no partial index).
 */
export const roomCodeIndex: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('meetings').addColumn('room_code_released', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.updateTable('meetings').set({ room_code_released: sql.ref('conference_id') }).where('status', '=', 1).execute();
    await db.schema.dropIndex('meetings_live_room_code').execute();
    await db.schema.dropIndex('meetings_room_code').execute();
    await db.schema.createIndex('meetings_room_code_unique').on('meetings').columns(['room_code', 'room_code_released']).unique().execute();
  },
};
