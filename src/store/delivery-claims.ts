import { sql, type Kysely } from 'kysely';
import { compileOnce, type CompiledOnce } from './prepared.js';
import type { Database } from './schema.js';
import type { PendingDelivery } from './event-repo.js';

/** How long a claim holds: well over an attempt's 10 s time limit plus recording its outcome. */
export const DEFAULT_CLAIM_TTL_MS = 30_000;

/**
 * Claims on outbox deliveries, for several instances delivering from one database: an instance
 * attempts a delivery only while it holds the delivery's claim, so each delivery is attempted by one
 * instance at a time. A claim ends with the attempt's recorded outcome (SqlEventStore.recordAttempts),
 * with release(), or by expiring: an instance that died mid-attempt leaves a claim that another takes
 * over once `ttlMs` has passed, and the delivery is made again (at least once).
 *
 * Order within a line (app, meeting) needs nothing more: an instance attempts only a line's head, a
 * head stays the head until its outcome is committed, and the claim is taken on the delivery as
 * read (still pending, with as many attempts made), in one UPDATE whose conditions PostgreSQL
 * checks again against a row changed meanwhile. A stale read thus never claims a delivery that
 * another instance has delivered or moved on since.
 */
export class DeliveryClaims {
  private readonly claim: CompiledOnce<unknown>;
  private readonly unclaim: CompiledOnce<unknown>;

  constructor(
    private readonly db: Kysely<Database>,
    /** This instance, as written in claimed_by. */
    readonly owner: string,
    readonly ttlMs: number,
  ) {
    this.claim = compileOnce(6, (owner, expiresAt, eventId, appKey, attempts, now) =>
      db
        .updateTable('event_deliveries')
        .set({ claimed_by: sql`${owner}`, claim_expires_at: sql`${expiresAt}` })
        .where('event_id', '=', sql<string>`${eventId}`)
        .where('app_key', '=', sql<string>`${appKey}`)
        .where('state', '=', sql.lit('pending'))
        .where('attempts', '=', sql<number>`${attempts}`)
        .where((eb) =>
          eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', sql<string>`${owner}`), eb('claim_expires_at', '<=', sql<number>`${now}`)]),
        ),
    );
    this.unclaim = compileOnce(3, (eventId, appKey, owner) =>
      db
        .updateTable('event_deliveries')
        .set({ claimed_by: null, claim_expires_at: null })
        .where('event_id', '=', sql<string>`${eventId}`)
        .where('app_key', '=', sql<string>`${appKey}`)
        .where('claimed_by', '=', sql<string>`${owner}`),
    );
  }

  /** Claims the delivery as read, for ttlMs from `now`; false when another instance holds it or it moved on. */
  async take(d: PendingDelivery, now: number): Promise<boolean> {
    const res = await this.db.executeQuery(this.claim.with([this.owner, now + this.ttlMs, d.event.eventId, d.appKey, d.attempts, now]));
    return Number(res.numAffectedRows ?? 0) > 0;
  }

  /** Gives back the claims of deliveries whose attempts were cut short (the worker is stopping). */
  async release(deliveries: readonly PendingDelivery[]): Promise<void> {
    for (const d of deliveries) await this.db.executeQuery(this.unclaim.with([d.event.eventId, d.appKey, this.owner]));
  }
}
