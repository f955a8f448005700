import type { Kysely, Migration } from 'kysely';

/**
 * Media-quality samples (docs/statistics.md): one row per participant per statistics interval,
 * the figures as JSON (their shape is the domain's MetricFigures). Read by meeting and person over
 * a time window, and pruned by age — one index each. Meetings get no index: the history listing
 * reads an organization's meetings through the (corp_id, …) index they already have, and every
 * index on meetings costs each create.
 */
export const metricSamples: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('metric_samples')
      .addColumn('conference_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('union_id', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('quality', 'integer', (c) => c.notNull())
      .addColumn('figures', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('metric_samples_pk', ['conference_id', 'member_id', 'at'])
      .execute();
    await db.schema.createIndex('metric_samples_person').on('metric_samples').columns(['conference_id', 'union_id', 'at']).execute();
    await db.schema.createIndex('metric_samples_at').on('metric_samples').column('at').execute();
  },
};
