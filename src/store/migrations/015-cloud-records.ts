import type { Kysely, Migration } from 'kysely';

/**
 * Issue 12: cloud recording. One row per recording file (a StartCloudRecord … StopCloudRecord run):
 * `record_id` is shared by every file of a meeting, `media_id` names the file; `status` is
 * 'recording' | 'processing' | 'ready' | 'failed'; duration in ms and file_size in bytes once ready.
 * The files themselves are under --recordings (`<conferenceId>/<mediaId>/`).
 */
export const cloudRecords: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('cloud_records')
      .addColumn('media_id', 'text', (c) => c.primaryKey())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('conference_id', 'text', (c) => c.notNull())
      .addColumn('corp_id', 'text', (c) => c.notNull())
      .addColumn('union_id', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('small_window_position', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('end_time', 'bigint')
      .addColumn('duration', 'bigint')
      .addColumn('file_size', 'bigint')
      .addColumn('failure', 'text')
      .execute();
    await db.schema.createIndex('cloud_records_by_conference').on('cloud_records').columns(['conference_id', 'start_time']).execute();
  },
};
