import type { Kysely, Migration } from 'kysely';

/**
 * Indexes for the read API (src/domain/meeting-queries.ts): a user's meetings in progress
 * (QueryUserOnGoingConference) without reading every record the user ever had, and an
 * organization's meetings in progress in listing order (QueryOrgConferenceList) without a sort.
 */
export const queryIndexes: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createIndex('meeting_members_union_status').on('meeting_members').columns(['union_id', 'attend_status']).execute();
    await db.schema.createIndex('meetings_org_status_created').on('meetings').columns(['corp_id', 'status', 'created_at', 'conference_id']).execute();
  },
};
