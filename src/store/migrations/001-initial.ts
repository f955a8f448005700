import { sql, type Kysely, type Migration } from 'kysely';

/** Directory, tokens, meetings and member records. Portable between SQLite and PostgreSQL. */
export const initial: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('meta')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('orgs')
      .addColumn('corp_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('disabled', 'boolean', (c) => c.notNull())
      .addColumn('max_participants', 'integer', (c) => c.notNull())
      .addColumn('invites_per_minute', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('corp_id', 'text', (c) => c.notNull().references('orgs.corp_id'))
      .addColumn('union_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('can_create_meetings', 'boolean', (c) => c.notNull())
      .addPrimaryKeyConstraint('users_pk', ['corp_id', 'union_id'])
      .execute();
    await db.schema.createIndex('users_union_id').on('users').column('union_id').execute();

    await db.schema
      .createTable('apps')
      .addColumn('app_key', 'text', (c) => c.primaryKey())
      .addColumn('corp_id', 'text', (c) => c.notNull().references('orgs.corp_id'))
      .addColumn('app_secret', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('suites')
      .addColumn('suite_key', 'text', (c) => c.primaryKey())
      .addColumn('suite_secret', 'text', (c) => c.notNull())
      .addColumn('suite_ticket', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('suite_authorizations')
      .addColumn('suite_key', 'text', (c) => c.notNull().references('suites.suite_key'))
      .addColumn('corp_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('suite_authorizations_pk', ['suite_key', 'corp_id'])
      .execute();

    await db.schema
      .createTable('access_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('client_key', 'text', (c) => c.notNull())
      .addColumn('corp_id', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('access_tokens_client')
      .on('access_tokens')
      .columns(['kind', 'client_key', 'corp_id', 'expires_at'])
      .execute();

    await db.schema
      .createTable('meetings')
      .addColumn('conference_id', 'text', (c) => c.primaryKey())
      .addColumn('corp_id', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('biz_type', 'text', (c) => c.notNull())
      .addColumn('creator_union_id', 'text', (c) => c.notNull())
      .addColumn('creator_nick', 'text', (c) => c.notNull())
      .addColumn('room_code', 'text', (c) => c.notNull())
      .addColumn('conference_password', 'text', (c) => c.notNull())
      .addColumn('host_password', 'text', (c) => c.notNull())
      .addColumn('join_token', 'text', (c) => c.notNull())
      .addColumn('invite_caller', 'boolean', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('start_time', 'bigint')
      .addColumn('end_time', 'bigint')
      .addColumn('schedule_conference_id', 'text')
      .execute();
    // Room codes are unique among meetings that have not ended (status 1 = ended).
    await db.schema
      .createIndex('meetings_live_room_code')
      .on('meetings')
      .column('room_code')
      .unique()
      .where(sql.ref('status'), '<>', 1)
      .execute();
    await db.schema.createIndex('meetings_org_status').on('meetings').columns(['corp_id', 'status']).execute();

    await db.schema
      .createTable('meeting_members')
      .addColumn('conference_id', 'text', (c) => c.notNull().references('meetings.conference_id'))
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('union_id', 'text')
      .addColumn('corp_id', 'text')
      .addColumn('nick', 'text', (c) => c.notNull())
      .addColumn('host', 'boolean', (c) => c.notNull())
      .addColumn('co_host', 'boolean', (c) => c.notNull())
      .addColumn('attend_status', 'integer', (c) => c.notNull())
      .addColumn('invited_at', 'bigint')
      .addColumn('join_time', 'bigint')
      .addColumn('leave_time', 'bigint')
      .addColumn('duration', 'bigint', (c) => c.notNull())
      .addColumn('outer_org_member', 'boolean', (c) => c.notNull())
      .addColumn('pstn_join', 'boolean', (c) => c.notNull())
      .addPrimaryKeyConstraint('meeting_members_pk', ['conference_id', 'member_id'])
      .execute();
    await db.schema
      .createIndex('meeting_members_union')
      .on('meeting_members')
      .columns(['conference_id', 'union_id'])
      .unique()
      .execute();
    await db.schema.createIndex('meeting_members_user').on('meeting_members').column('union_id').execute();
  },
};
