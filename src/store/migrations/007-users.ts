import type { Kysely, Migration } from 'kysely';

/**
 * Directory users who sign in to the web app (docs/sign-in.md): the password hash from the
 * directory file, and one-time sign-in links (only the SHA-256 of each token is stored).
 */
export const users: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('users').addColumn('password_hash', 'text').execute();
    await db.schema
      .createTable('signin_links')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('corp_id', 'text', (c) => c.notNull())
      .addColumn('union_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
  },
};
