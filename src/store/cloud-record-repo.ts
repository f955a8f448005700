import type { Kysely, Selectable } from 'kysely';
import type { CloudRecord, CloudRecordStore } from '../domain/ports/index.js';
import type { CloudRecordsTable, Database } from './schema.js';

/** Recording files (migration 015). */
export class SqlCloudRecords implements CloudRecordStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(r: CloudRecord): Promise<void> {
    await this.db
      .insertInto('cloud_records')
      .values({
        media_id: r.mediaId,
        record_id: r.recordId,
        conference_id: r.conferenceId,
        corp_id: r.corpId,
        union_id: r.unionId,
        mode: r.mode,
        small_window_position: r.position,
        status: r.status,
        start_time: r.startTime,
        end_time: r.endTime,
        duration: r.duration,
        file_size: r.fileSize,
        failure: r.failure,
      })
      .execute();
  }

  async update(mediaId: string, patch: Partial<Pick<CloudRecord, 'status' | 'endTime' | 'duration' | 'fileSize' | 'failure'>>): Promise<void> {
    await this.db
      .updateTable('cloud_records')
      .set({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.endTime !== undefined ? { end_time: patch.endTime } : {}),
        ...(patch.duration !== undefined ? { duration: patch.duration } : {}),
        ...(patch.fileSize !== undefined ? { file_size: patch.fileSize } : {}),
        ...(patch.failure !== undefined ? { failure: patch.failure } : {}),
      })
      .where('media_id', '=', mediaId)
      .execute();
  }

  async find(mediaId: string): Promise<CloudRecord | undefined> {
    const row = await this.db.selectFrom('cloud_records').selectAll().where('media_id', '=', mediaId).executeTakeFirst();
    return row && toRecord(row);
  }

  async remove(mediaId: string): Promise<void> {
    await this.db.deleteFrom('cloud_records').where('media_id', '=', mediaId).execute();
  }

  async ofMeeting(conferenceId: string): Promise<CloudRecord[]> {
    const rows = await this.db.selectFrom('cloud_records').selectAll().where('conference_id', '=', conferenceId).orderBy('start_time').orderBy('media_id').execute();
    return rows.map(toRecord);
  }
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toRecord(r: Selectable<CloudRecordsTable>): CloudRecord {
  return {
    mediaId: r.media_id,
    recordId: r.record_id,
    conferenceId: r.conference_id,
    corpId: r.corp_id,
    unionId: r.union_id,
    mode: r.mode as CloudRecord['mode'],
    position: r.small_window_position as CloudRecord['position'],
    status: r.status as CloudRecord['status'],
    startTime: Number(r.start_time),
    endTime: num(r.end_time),
    duration: num(r.duration),
    fileSize: num(r.file_size),
    failure: r.failure,
  };
}
