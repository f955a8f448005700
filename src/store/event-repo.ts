import { sql, type Insertable, type Kysely } from 'kysely';
import type { EventOutbox, NewEvent, AppendedEvent, StoredEvent } from '../domain/events.js';
import { timeOrderedId } from '../domain/secrets.js';
import type { Database, EventDeliveriesTable, EventsTable } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

/** The lowest pending statusSeqNum of the (app, meeting) of delivery `d`. */
const headOfLine = sql<number>`(select min(p.seq) from event_deliveries p where p.state = 'pending' and p.app_key = d.app_key and p.conference_id = d.conference_id)`;

/** A delivery that is due: the event, and where and how to send it. */
export interface DueDelivery {
  event: StoredEvent;
  appKey: string;
  /** Attempts made before this one. */
  attempts: number;
  url: string | null;
  secret: string | null;
}

export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  at: number;
}

export interface DeliveryLogEntry extends AttemptOutcome {
  eventId: string;
  appKey: string;
  attempt: number;
}

/** The event outbox in SQL: events, their per-app deliveries and the log of every attempt. */
export class SqlEventStore implements EventOutbox {
  constructor(private readonly db: Kysely<Database>) {}

  async append(event: NewEvent): Promise<AppendedEvent | undefined> {
    const [stored] = await this.appendAll([event]);
    return stored;
  }

  async appendAll(events: readonly NewEvent[]): Promise<AppendedEvent[]> {
    if (events.length === 0) return [];
    // Two writers (instances sharing a database) may pick the same number; the loser takes the next.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.insert(events);
      } catch (err) {
        if (!isUniqueViolation(err, 'seq') || attempt >= 5) throw err;
      }
    }
  }

  private insert(events: readonly NewEvent[]): Promise<AppendedEvent[]> {
    return this.db.transaction().execute((tx) => appendEventsIn(tx, events));
  }

  /**
   * Pending deliveries due by `now`, only the lowest statusSeqNum of each (app, meeting): a
   * meeting's events reach an app in order, a later one waiting while an earlier one is retried.
   */
  async due(now: number, limit: number): Promise<DueDelivery[]> {
    const rows = await this.db
      .selectFrom('event_deliveries as d')
      .innerJoin('events as e', 'e.event_id', 'd.event_id')
      .leftJoin('apps as a', 'a.app_key', 'd.app_key')
      .select([
        'd.app_key',
        'd.attempts',
        'd.next_attempt_at',
        'e.event_id',
        'e.conference_id',
        'e.corp_id',
        'e.seq',
        'e.event_type',
        'e.change_scene',
        'e.event_time',
        'e.data',
        'a.event_url',
        'a.event_secret',
      ])
      .where('d.state', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where('d.seq', '=', headOfLine)
      .orderBy('d.next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      appKey: r.app_key,
      attempts: r.attempts,
      url: r.event_url ?? null,
      secret: r.event_secret ?? null,
      event: {
        eventId: r.event_id,
        conferenceId: r.conference_id,
        corpId: r.corp_id,
        statusSeqNum: Number(r.seq),
        type: r.event_type as StoredEvent['type'],
        changeScene: r.change_scene as StoredEvent['changeScene'],
        eventTime: Number(r.event_time),
        data: JSON.parse(r.data) as Record<string, unknown>,
      },
    }));
  }

  /** The earliest time after `after` at which a delivery at the head of its (app, meeting) line falls due, if any. */
  async nextDueAfter(after: number): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('event_deliveries as d')
      .select((eb) => eb.fn.min('d.next_attempt_at').as('at'))
      .where('d.state', '=', 'pending')
      .where('d.next_attempt_at', '>', after)
      .where('d.seq', '=', headOfLine)
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /**
   * Logs an attempt and moves the delivery on: delivered, failed, or pending again at `retryAt`
   * (undefined = give up).
   */
  async recordAttempt(d: DueDelivery, outcome: AttemptOutcome, delivered: boolean, retryAt: number | undefined): Promise<void> {
    const attempt = d.attempts + 1;
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('event_delivery_log')
        .values({ event_id: d.event.eventId, app_key: d.appKey, attempt, status_code: outcome.statusCode, error: outcome.error, at: outcome.at })
        .execute();
      const state = delivered ? 'delivered' : retryAt === undefined ? 'failed' : 'pending';
      await tx
        .updateTable('event_deliveries')
        .set({ state, attempts: attempt, next_attempt_at: retryAt ?? outcome.at })
        .where('event_id', '=', d.event.eventId)
        .where('app_key', '=', d.appKey)
        .execute();
    });
  }

  /** Every attempt at delivering an event, oldest first (operators and tests read it). */
  async log(eventId: string): Promise<DeliveryLogEntry[]> {
    const rows = await this.db.selectFrom('event_delivery_log').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
    return rows.map((r) => ({ eventId: r.event_id, appKey: r.app_key, attempt: r.attempt, statusCode: r.status_code, error: r.error, at: Number(r.at) }));
  }

  /** Delivery states of an app's deliveries, by event id. */
  async states(appKey: string): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('event_deliveries').select(['event_id', 'state']).where('app_key', '=', appKey).execute();
    return new Map(rows.map((r) => [r.event_id, r.state]));
  }
}

/**
 * Events of one meeting, in order, with consecutive statusSeqNums, inside the caller's transaction
 * (the outbox's own, or the one that makes the change the events describe). An event no app takes
 * is not stored: the outbox holds what has somewhere to go, and statusSeqNum counts stored events.
 */
export async function appendEventsIn(tx: Kysely<Database>, events: readonly NewEvent[]): Promise<AppendedEvent[]> {
  const first = events[0];
  if (!first) return [];
  const apps = await tx
    .selectFrom('apps')
    .select(['app_key', 'event_types'])
    .where('corp_id', '=', first.corpId)
    .where('event_url', 'is not', null)
    .execute();
  const wanted = events.filter((e) => takers(e, apps).length > 0);
  if (wanted.length === 0) return [];
  const last = await tx
    .selectFrom('events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('conference_id', '=', first.conferenceId)
    .executeTakeFirst();
  const out: AppendedEvent[] = [];
  let seq = Number(last?.seq ?? 0);
  for (const event of wanted) {
    const stored = storedEvent(event, ++seq);
    await tx.insertInto('events').values(eventRow(stored)).execute();
    const deliveries = deliveryRows(stored, apps);
    await tx.insertInto('event_deliveries').values(deliveries).execute();
    out.push({ ...stored, deliveries: deliveries.length });
  }
  return out;
}

/** An app of the event's organization with a callback URL, and the event types it takes (none = all). */
export interface Subscriber {
  app_key: string;
  event_types?: string | null;
}

/** The event with its id and its meeting's statusSeqNum. Ids are time-ordered so new events append to the table's index. */
export function storedEvent(event: NewEvent, statusSeqNum: number): StoredEvent {
  return { ...event, eventId: timeOrderedId(event.eventTime, 10), statusSeqNum };
}

export function eventRow(e: StoredEvent): Insertable<EventsTable> {
  return {
    event_id: e.eventId,
    conference_id: e.conferenceId,
    corp_id: e.corpId,
    seq: e.statusSeqNum,
    event_type: e.type,
    change_scene: e.changeScene,
    event_time: e.eventTime,
    data: JSON.stringify(e.data),
  };
}

/** The subscribers that take events of this type. */
export function takers(e: Pick<NewEvent, 'type'>, subscribers: readonly Subscriber[]): Subscriber[] {
  return subscribers.filter((a) => !a.event_types || (JSON.parse(a.event_types) as string[]).includes(e.type));
}

/** One pending delivery per subscriber that takes this event's type. */
export function deliveryRows(e: StoredEvent, subscribers: readonly Subscriber[]): Insertable<EventDeliveriesTable>[] {
  return takers(e, subscribers).map((a) => ({
      event_id: e.eventId,
      app_key: a.app_key,
      conference_id: e.conferenceId,
      seq: e.statusSeqNum,
      state: 'pending',
      attempts: 0,
      next_attempt_at: e.eventTime,
    }));
}
