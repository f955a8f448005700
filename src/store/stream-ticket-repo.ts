import type { Kysely } from 'kysely';
import type { StreamTicketStore } from '../domain/ports/index.js';
import type { Database } from './schema.js';

/** One-shot tickets of POST /v1.0/gateway/connections/open; only their SHA-256 is stored. */
export class SqlStreamTickets implements StreamTicketStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(ticketHash: string, appKey: string, subscriptions: string, expiresAt: number): Promise<void> {
    await this.db.insertInto('stream_tickets').values({ ticket_hash: ticketHash, app_key: appKey, subscriptions, expires_at: expiresAt, used_at: null }).execute();
  }

  /** Uses a ticket up: its app and subscriptions once, undefined for an unknown, used or expired one. */
  async take(ticketHash: string, now: number): Promise<{ appKey: string; subscriptions: string } | undefined> {
    // One UPDATE decides: two sockets racing with the same ticket cannot both win.
    const res = await this.db
      .updateTable('stream_tickets')
      .set({ used_at: now })
      .where('ticket_hash', '=', ticketHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return undefined;
    const row = await this.db.selectFrom('stream_tickets').select(['app_key', 'subscriptions']).where('ticket_hash', '=', ticketHash).executeTakeFirst();
    return row && { appKey: row.app_key, subscriptions: row.subscriptions };
  }

  /** Forgets tickets that expired before `before`. */
  async purge(before: number): Promise<void> {
    await this.db.deleteFrom('stream_tickets').where('expires_at', '<', before).execute();
  }
}
