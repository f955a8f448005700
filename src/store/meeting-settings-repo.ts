import { sql, type Kysely, type Selectable } from 'kysely';
import { DEFAULT_SETTINGS, type MeetingSettings, type SettingsPatch } from '../domain/meeting-settings.js';
import { isPostgres } from './dialect.js';
import type { Database, MeetingSettingsTable } from './schema.js';
import type { MeetingSettingsStore } from '../domain/ports/index.js';

/** Meeting settings in `meeting_settings`; a meeting without a row has the defaults. */
export class SqlMeetingSettingsRepository implements MeetingSettingsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(conferenceId: string): Promise<MeetingSettings> {
    const row = await this.db.selectFrom('meeting_settings').selectAll().where('conference_id', '=', conferenceId).executeTakeFirst();
    return row ? toSettings(row) : { ...DEFAULT_SETTINGS };
  }

  async update(conferenceId: string, patch: SettingsPatch): Promise<MeetingSettings> {
    // Read and write in one transaction so two changes to different fields never undo each other.
    return this.db.transaction().execute(async (tx) => {
      // PostgreSQL runs such transactions side by side (READ COMMITTED): changes to one meeting's
      // settings take turns until commit, as they do on SQLite, whose writers always do.
      if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(hashtext(${`settings:${conferenceId}`}))`.execute(tx);
      const row = await tx.selectFrom('meeting_settings').selectAll().where('conference_id', '=', conferenceId).executeTakeFirst();
      const next: MeetingSettings = { ...(row ? toSettings(row) : DEFAULT_SETTINGS), ...patch };
      const values = toRow(conferenceId, next, this.now());
      const { conference_id: _key, ...changes } = values;
      await tx
        .insertInto('meeting_settings')
        .values(values)
        .onConflict((oc) => oc.column('conference_id').doUpdateSet(changes))
        .execute();
      return next;
    });
  }

  async deviceIsMember(conferenceId: string, deviceId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('meeting_members')
      .select('member_id')
      .where('conference_id', '=', conferenceId)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return row !== undefined;
  }
}

const flag = (b: boolean): number => (b ? 1 : 0);

function toRow(conferenceId: string, s: MeetingSettings, at: number): MeetingSettingsTable {
  return {
    conference_id: conferenceId,
    locked: flag(s.locked),
    mute_all: flag(s.muteAll),
    allow_unmute_self: flag(s.allowUnmuteSelf),
    forbidden_share_screen: flag(s.forbiddenShareScreen),
    only_internal: flag(s.onlyInternalEmployeesJoin),
    auto_transfer_host: flag(s.autoTransferHost),
    focus: s.focus,
    waiting_room: flag(s.waitingRoom),
    updated_at: at,
  };
}

function toSettings(r: Selectable<MeetingSettingsTable>): MeetingSettings {
  return {
    locked: Boolean(r.locked),
    muteAll: Boolean(r.mute_all),
    allowUnmuteSelf: Boolean(r.allow_unmute_self),
    forbiddenShareScreen: Boolean(r.forbidden_share_screen),
    onlyInternalEmployeesJoin: Boolean(r.only_internal),
    autoTransferHost: Boolean(r.auto_transfer_host),
    focus: r.focus,
    waitingRoom: Boolean(r.waiting_room),
  };
}
