import type { Kysely, Migration } from 'kysely';

/**
 * Claims on deliveries, for several instances delivering from one outbox (src/events/claims.ts):
 * the instance attempting a delivery and until when its claim holds. Another instance attempts
 * the delivery only once the claim is released or has expired (its holder died mid-attempt).
 * Null on a delivery nobody is attempting, and always null where only one instance delivers.
 */
export const deliveryClaims: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('event_deliveries').addColumn('claimed_by', 'text').execute();
    await db.schema.alterTable('event_deliveries').addColumn('claim_expires_at', 'bigint').execute();
  },
};
