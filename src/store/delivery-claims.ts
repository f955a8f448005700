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
 * checks again against a row changed meanwhile (PostgreSQL's UPDATE … FROM: claims are taken only
 * where several instances share PostgreSQL). A stale read thus never claims a delivery that
 * another instance has delivered or moved on since.
 */
interface ClaimRequest {
  d: PendingDelivery;
  now: number;
  resolve(held: boolean): void;
  reject(err: unknown): void;
}

export class DeliveryClaims {
  private readonly unclaim: CompiledOnce<unknown>;
  private queue: ClaimRequest[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    /** This instance, as written in claimed_by. */
    readonly owner: string,
    readonly ttlMs: number,
  ) {
    this.unclaim = compileOnce(3, (eventId, appKey, owner) =>
      db
        .updateTable('event_deliveries')
        .set({ claimed_by: null, claim_expires_at: null })
        .where('event_id', '=', sql<string>`${eventId}`)
        .where('app_key', '=', sql<string>`${appKey}`)
        .where('claimed_by', '=', sql<string>`${owner}`),
    );
  }

  /**
   * Claims the delivery as read, for ttlMs from `now`; false when another instance holds it or it
   * moved on. The claims asked for in one go (the worker starting a round of attempts) are taken
   * by one UPDATE: a round trip per delivery would cost more than the rest of its bookkeeping.
   */
  take(d: PendingDelivery, now: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) queueMicrotask(() => void this.flush());
      this.queue.push({ d, now, resolve, reject });
    });
  }

  /** Gives back the claims of deliveries whose attempts were cut short (the worker is stopping). */
  async release(deliveries: readonly PendingDelivery[]): Promise<void> {
    for (const d of deliveries) await this.db.executeQuery(this.unclaim.with([d.event.eventId, d.appKey, this.owner]));
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const now = Math.max(...batch.map((r) => r.now));
    try {
      // PostgreSQL's UPDATE … FROM (VALUES …); claims are only taken where several instances share PostgreSQL.
      const wanted = sql.join(batch.map(({ d }) => sql`(${d.event.eventId}, ${d.appKey}, ${d.attempts}::integer)`));
      const { rows } = await sql<{ event_id: string; app_key: string }>`
        update event_deliveries d set claimed_by = ${this.owner}, claim_expires_at = ${now + this.ttlMs}
        from (values ${wanted}) as w(event_id, app_key, attempts)
        where d.event_id = w.event_id and d.app_key = w.app_key and d.attempts = w.attempts and d.state = 'pending'
          and (d.claimed_by is null or d.claimed_by = ${this.owner} or d.claim_expires_at <= ${now})
        returning d.event_id, d.app_key`.execute(this.db);
      const held = new Set(rows.map((r) => `${r.event_id}\n${r.app_key}`));
      for (const r of batch) r.resolve(held.has(`${r.d.event.eventId}\n${r.d.appKey}`));
    } catch (err) {
      for (const r of batch) r.reject(err);
    }
  }
}
