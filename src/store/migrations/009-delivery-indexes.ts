import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Indexes for the delivery worker (src/events/dispatcher.ts), over pending deliveries only: a
 * delivered row leaves them, so they stay as small as the backlog however long the outbox grows.
 *
 * - event_deliveries_due: pending deliveries in the order the worker reads them (by due time), so
 *   each read continues where the last one stopped instead of scanning and sorting everything.
 * - event_deliveries_line: each app's line of a meeting in statusSeqNum order, with the due time,
 *   so the head of a line, and a delivery's neighbours in it, are one index seek each.
 *
 * The line index replaces event_deliveries_pending, which also kept every delivered row.
 * Queries must spell the state as the literal 'pending' for SQLite to use a partial index.
 */
export const deliveryIndexes: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.dropIndex('event_deliveries_pending').execute();
    await db.schema
      .createIndex('event_deliveries_due')
      .on('event_deliveries')
      .columns(['next_attempt_at', 'event_id', 'app_key'])
      .where(sql.ref('state'), '=', sql.lit('pending'))
      .execute();
    await db.schema
      .createIndex('event_deliveries_line')
      .on('event_deliveries')
      .columns(['app_key', 'conference_id', 'seq', 'next_attempt_at'])
      .where(sql.ref('state'), '=', sql.lit('pending'))
      .execute();
  },
};
