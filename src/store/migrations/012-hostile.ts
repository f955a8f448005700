import type { Kysely, Migration } from 'kysely';

/**
 * Hostile users (docs/security.md): per-app quotas of new meetings in the organization's limits,
 * and the bars a removal puts on a person beyond their browser (their signed-in identity, their
 * network for a while).
 */
export const hostile: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('orgs').addColumn('creates_per_app_per_hour', 'integer', (c) => c.notNull().defaultTo(1000)).execute();
    await db.schema.alterTable('orgs').addColumn('creates_per_app_per_day', 'integer', (c) => c.notNull().defaultTo(10000)).execute();
    await db.schema
      .createTable('meeting_bars')
      .addColumn('conference_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('until', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('meeting_bars_pk', ['conference_id', 'kind', 'value'])
      .execute();
  },
};
