import type { Kysely, Migration } from 'kysely';

/**
 * Drops two indexes that longer ones already cover: (corp_id, status) is the prefix of
 * meetings_org_status_created, and (union_id) of meeting_members_union_status. Every index is
 * written on each create, so each one that answers no query of its own is pure cost.
 */
export const leanIndexes: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.dropIndex('meetings_org_status').execute();
    await db.schema.dropIndex('meeting_members_user').execute();
  },
};
