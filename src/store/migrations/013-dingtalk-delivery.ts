import type { Kysely, Migration } from 'kysely';

/**
 * Issue 13: DingTalk's own event delivery and the remaining OAuth operations.
 * - apps: how events reach the app (`event_mode` 'callback' | 'stream'; null = not subscribed) and
 *   DingTalk's callback encryption (aesKey, token) instead of vconf's signature;
 * - stream_tickets: one-shot tickets of POST /v1.0/gateway/connections/open (only their SHA-256);
 * - users.admin, orgs.sso_*: admin single sign-on; access_tokens.union_id: user access tokens;
 * - oauth_grants: authorization codes, SSO codes and refresh tokens (only their SHA-256);
 * - meetings.ext_info (UpdateVideoConferenceExtInfo), custom_short_links (CreateCustomShortLink).
 */
export const dingtalkDelivery: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('apps').addColumn('event_mode', 'text').execute();
    await db.schema.alterTable('apps').addColumn('event_aes_key', 'text').execute();
    await db.schema.alterTable('apps').addColumn('event_token', 'text').execute();
    await db.schema.alterTable('apps').addColumn('redirect_uris', 'text').execute();
    // Apps subscribed before this migration receive signed callbacks.
    await db.updateTable('apps').set({ event_mode: 'callback' }).where('event_url', 'is not', null).execute();
    await db.schema.alterTable('users').addColumn('admin', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
    await db.schema.alterTable('orgs').addColumn('sso_secret', 'text').execute();
    await db.schema.alterTable('orgs').addColumn('sso_redirect_uris', 'text').execute();
    await db.schema.alterTable('access_tokens').addColumn('union_id', 'text').execute();
    await db.schema.alterTable('meetings').addColumn('ext_info', 'text').execute();
    await db.schema
      .createTable('stream_tickets')
      .addColumn('ticket_hash', 'text', (c) => c.primaryKey())
      .addColumn('app_key', 'text', (c) => c.notNull())
      .addColumn('subscriptions', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema
      .createTable('oauth_grants')
      .addColumn('grant_hash', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('client_key', 'text', (c) => c.notNull())
      .addColumn('corp_id', 'text', (c) => c.notNull())
      .addColumn('union_id', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema
      .createTable('custom_short_links')
      .addColumn('code', 'text', (c) => c.primaryKey())
      .addColumn('schedule_conference_id', 'text', (c) => c.notNull())
      .addColumn('corp_id', 'text', (c) => c.notNull())
      .addColumn('union_id', 'text', (c) => c.notNull())
      .addColumn('cool_app_code', 'text', (c) => c.notNull())
      .addColumn('biz_data', 'text')
      .addColumn('use_extension_app', 'boolean', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
