/** What the outbox holds, read straight from a test server's database (the server has no such reads). */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

export interface DeliveryLogEntry {
  eventId: string;
  appKey: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  at: number;
}

/** Every attempt to deliver one event, oldest first. */
export async function deliveryLog(db: Kysely<Database>, eventId: string): Promise<DeliveryLogEntry[]> {
  const rows = await db.selectFrom('event_delivery_log').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
  return rows.map((r) => ({ eventId: r.event_id, appKey: r.app_key, attempt: r.attempt, statusCode: r.status_code, error: r.error, at: Number(r.at) }));
}

/** Delivery states of an app's deliveries, by event id. */
export async function deliveryStates(db: Kysely<Database>, appKey: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('event_deliveries').select(['event_id', 'state']).where('app_key', '=', appKey).execute();
  return new Map(rows.map((r) => [r.event_id, r.state]));
}
