import type { Kysely, Migration } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Conference events (docs/events.md): the outbox of events, one delivery row per subscribed app
 * and event, a log of every attempt, and each app's callback subscription.
 */
export const events: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('apps').addColumn('event_url', 'text').execute();
    await db.schema.alterTable('apps').addColumn('event_secret', 'text').execute();
    // JSON array of event types; null = every type.
    await db.schema.alterTable('apps').addColumn('event_types', 'text').execute();
    await db.schema
      .createTable('events')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('conference_id', 'text', (c) => c.notNull())
      .addColumn('corp_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('change_scene', 'text', (c) => c.notNull())
      .addColumn('event_time', 'bigint', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addUniqueConstraint('events_conference_seq', ['conference_id', 'seq'])
      .execute();
    await db.schema
      .createTable('event_deliveries')
      .addColumn('event_id', 'text', (c) => c.notNull().references('events.event_id'))
      .addColumn('app_key', 'text', (c) => c.notNull())
      .addColumn('conference_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('event_deliveries_pk', ['event_id', 'app_key'])
      .execute();
    await db.schema.createIndex('event_deliveries_pending').on('event_deliveries').columns(['state', 'app_key', 'conference_id', 'seq']).execute();
    await db.schema
      .createTable('event_delivery_log')
      .addColumn('id', 'integer', (c) =>
        // PostgreSQL has no AUTOINCREMENT; an identity column numbers rows the same way.
        isPostgres(db) ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
      )
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('app_key', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('error', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('event_delivery_log_event').on('event_delivery_log').columns(['event_id', 'app_key']).execute();
  },
};
