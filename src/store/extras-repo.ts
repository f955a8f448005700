import type { Kysely } from 'kysely';
import type { ConferenceExtrasStore, ShortLink } from '../domain/ports/index.js';
import type { Database } from './schema.js';


/** UpdateVideoConferenceExtInfo's stored ext info and CreateCustomShortLink's links (migration 013). */
export class SqlConferenceExtras implements ConferenceExtrasStore {
  constructor(private readonly db: Kysely<Database>) {}

  async setExtInfo(conferenceId: string, extInfo: Record<string, unknown>): Promise<void> {
    await this.db.updateTable('meetings').set({ ext_info: JSON.stringify(extInfo) }).where('conference_id', '=', conferenceId).execute();
  }

  async extInfo(conferenceId: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db.selectFrom('meetings').select('ext_info').where('conference_id', '=', conferenceId).executeTakeFirst();
    return row?.ext_info ? (JSON.parse(row.ext_info) as Record<string, unknown>) : undefined;
  }

  async insertLink(link: ShortLink): Promise<void> {
    await this.db
      .insertInto('custom_short_links')
      .values({
        code: link.code,
        schedule_conference_id: link.scheduleConferenceId,
        corp_id: link.corpId,
        union_id: link.unionId,
        cool_app_code: link.coolAppCode,
        biz_data: link.bizData,
        use_extension_app: link.useExtensionApp ? 1 : 0,
        created_at: link.createdAt,
      })
      .execute();
  }

  async findLink(code: string): Promise<ShortLink | undefined> {
    const r = await this.db.selectFrom('custom_short_links').selectAll().where('code', '=', code).executeTakeFirst();
    if (!r) return undefined;
    return {
      code: r.code,
      scheduleConferenceId: r.schedule_conference_id,
      corpId: r.corp_id,
      unionId: r.union_id,
      coolAppCode: r.cool_app_code,
      bizData: r.biz_data,
      useExtensionApp: Boolean(r.use_extension_app),
      createdAt: Number(r.created_at),
    };
  }
}
