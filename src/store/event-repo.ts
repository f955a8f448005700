import { sql, type Insertable, type Kysely, type RawBuilder } from 'kysely';
import type { NewEvent, AppendedEvent, StoredEvent } from '../domain/events.js';
import { timeOrderedId } from '../domain/secrets.js';
import { compileOnce, prepareQuery, type CompiledOnce, type PreparedQuery } from './prepared.js';
import type { Database, EventDeliveriesTable, EventsTable } from './schema.js';
import { isPostgres } from './dialect.js';
import { isUniqueViolation } from './unique-violation.js';
import type { EventOutbox } from '../domain/ports/index.js';

/**
 * Partial indexes (migration 009) hold pending deliveries only. Queries spell the state as this
 * literal so the planner can see they want only rows those indexes hold; with a bound value that
 * would be up to how SQLite plans each binding.
 */
const PENDING = sql.lit('pending');

/** The lowest pending statusSeqNum of the (app, meeting) of delivery `d`. */
const headOfLine = sql<number>`(select min(p.seq) from event_deliveries p where p.state = ${PENDING} and p.app_key = d.app_key and p.conference_id = d.conference_id)`;

/** The due time of the head of the (app, meeting) line of delivery `d`. */
const headDueAt = sql<number>`(select h.next_attempt_at from event_deliveries h where h.state = ${PENDING} and h.app_key = d.app_key and h.conference_id = d.conference_id order by h.seq limit 1)`;

/** A delivery that is due: the event, and where and how to send it. */
export interface DueDelivery {
  event: StoredEvent;
  appKey: string;
  /** Attempts made before this one. */
  attempts: number;
  url: string | null;
  secret: string | null;
}

/**
 * A pending delivery as the delivery worker reads it: with its place in its (app, meeting) line when
 * read, and the event's data still as JSON (many rows are read again and skipped, and need no parse).
 */
export interface PendingDelivery {
  event: Omit<StoredEvent, 'data'>;
  /** JSON of the event's data. */
  data: string;
  appKey: string;
  attempts: number;
  nextAttemptAt: number;
  url: string | null;
  secret: string | null;
  /** How the app takes events now: 'callback', 'stream', or null when it unsubscribed. */
  mode: 'callback' | 'stream' | null;
  /** DingTalk's callback encryption (with `url`), instead of the signature. */
  aesKey: string | null;
  token: string | null;
  /** statusSeqNum of the pending delivery right before it in its line; null = it is the head. */
  prevSeq: number | null;
  /** statusSeqNum of the pending delivery right after it in its line; null = none yet. */
  nextSeq: number | null;
}

/** A position in the order the worker reads pending deliveries: due time, then event id, then app. */
export interface WalkKey {
  at: number;
  eventId: string;
  appKey: string;
}

/** Before every delivery. */
export const WALK_START: WalkKey = { at: Number.MIN_SAFE_INTEGER, eventId: '', appKey: '' };

export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  at: number;
}

/** One finished attempt and where it leaves the delivery. */
export interface AttemptRecord {
  eventId: string;
  appKey: string;
  /** 1 for the first attempt. */
  attempt: number;
  outcome: AttemptOutcome;
  state: 'delivered' | 'failed' | 'pending';
  /** When it is due again if still pending (else the attempt's time). */
  nextAttemptAt: number;
}

export interface DeliveryLogEntry extends AttemptOutcome {
  eventId: string;
  appKey: string;
  attempt: number;
}

/** Queries the delivery side has run, for operators and tests (reads of pending deliveries, write transactions). */
export interface DeliveryQueryStats {
  reads: number;
  writes: number;
}

/** The event outbox in SQL: events, their per-app deliveries and the log of every attempt. */
export class SqlEventStore implements EventOutbox {
  readonly stats: DeliveryQueryStats = { reads: 0, writes: 0 };
  private readonly walk: PreparedQuery<PendingRow>;
  private readonly line: PreparedQuery<PendingRow>;
  private readonly logAttempt: CompiledOnce<unknown>;
  private readonly moveOn: CompiledOnce<unknown>;
  private readonly postgres: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.postgres = isPostgres(db);
    // Compiled once: these run for every few deliveries, and building a query costs more than running it.
    this.walk = prepareQuery(db, 5, (now, at, eventId, appKey, limit) =>
      pendingRows(db)
        .where('d.next_attempt_at', '<=', param<number>(now))
        .where(sql<boolean>`(d.next_attempt_at, d.event_id, d.app_key) > (${at}, ${eventId}, ${appKey})`)
        .where(headDueAt, '<=', param<number>(now))
        .orderBy('d.next_attempt_at')
        .orderBy('d.event_id')
        .orderBy('d.app_key')
        .limit(param<number>(limit)),
    );
    this.line = prepareQuery(db, 3, (appKey, conferenceId, limit) =>
      pendingRows(db)
        .where('d.app_key', '=', param<string>(appKey))
        .where('d.conference_id', '=', param<string>(conferenceId))
        .orderBy('d.seq')
        .limit(param<number>(limit)),
    );
    this.logAttempt = compileOnce(6, (eventId, appKey, attempt, statusCode, error, at) =>
      db.insertInto('event_delivery_log').values({
        event_id: param(eventId),
        app_key: param(appKey),
        attempt: param(attempt),
        status_code: param(statusCode),
        error: param(error),
        at: param(at),
      }),
    );
    this.moveOn = compileOnce(5, (state, attempts, nextAttemptAt, eventId, appKey) =>
      db
        .updateTable('event_deliveries')
        // An outcome ends the attempt's claim (delivery-claims.ts), so any instance may make the next one.
        .set({ state: param(state), attempts: param(attempts), next_attempt_at: param(nextAttemptAt), claimed_by: null, claim_expires_at: null })
        .where('event_id', '=', param<string>(eventId))
        .where('app_key', '=', param<string>(appKey)),
    );
  }

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
    this.stats.reads++;
    const rows = await pendingRows(this.db)
      .where('d.next_attempt_at', '<=', now)
      .where('d.seq', '=', headOfLine)
      .orderBy('d.next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map((r) => {
      const p = pendingDelivery(r);
      return { event: { ...p.event, data: JSON.parse(p.data) as Record<string, unknown> }, appKey: p.appKey, attempts: p.attempts, url: p.url, secret: p.secret };
    });
  }

  /**
   * Up to `limit` pending deliveries due by `now` that come after `from` in reading order (due time,
   * event id, app), leaving out lines whose head is not due (being retried later). Reading on from
   * the last one returned walks the backlog with each row read once.
   */
  async dueAfter(from: WalkKey, now: number, limit: number): Promise<PendingDelivery[]> {
    this.stats.reads++;
    return (await this.walk.execute(now, from.at, from.eventId, from.appKey, limit)).map(pendingDelivery);
  }

  /** The first `limit` pending deliveries of an app's line of a meeting, in statusSeqNum order, due or not. */
  async lineOf(appKey: string, conferenceId: string, limit: number): Promise<PendingDelivery[]> {
    this.stats.reads++;
    return (await this.line.execute(appKey, conferenceId, limit)).map(pendingDelivery);
  }

  /** The earliest time after `after` at which a delivery at the head of its (app, meeting) line falls due, if any. */
  async nextDueAfter(after: number): Promise<number | undefined> {
    this.stats.reads++;
    const row = await this.db
      .selectFrom('event_deliveries as d')
      .select((eb) => eb.fn.min('d.next_attempt_at').as('at'))
      .where('d.state', '=', PENDING)
      .where('d.next_attempt_at', '>', after)
      .where('d.seq', '=', headOfLine)
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /**
   * Logs attempts and moves their deliveries on, all in one transaction: a commit costs more than
   * the rows it writes, so the worker records the attempts that ended together at once.
   */
  async recordAttempts(records: readonly AttemptRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.stats.writes++;
    if (this.postgres) return recordInOneStatement(this.db, records);
    await this.db.transaction().execute(async (tx) => {
      for (const r of records) {
        await tx.executeQuery(this.logAttempt.with([r.eventId, r.appKey, r.attempt, r.outcome.statusCode, r.outcome.error, r.outcome.at]));
        await tx.executeQuery(this.moveOn.with([r.state, r.attempt, r.nextAttemptAt, r.eventId, r.appKey]));
      }
    });
  }

  /** Deliveries still to make, due or not: one count over the partial indexes of pending rows (metrics). */
  async backlog(): Promise<number> {
    const row = await this.db
      .selectFrom('event_deliveries')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('state', '=', PENDING)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

/**
 * recordAttempts on PostgreSQL: the log rows and the deliveries' moves in one statement (a data-
 * modifying CTE and UPDATE … FROM VALUES), one round trip however many attempts ended together,
 * where a statement per row would cost a round trip each. An outcome also ends the attempt's claim.
 */
async function recordInOneStatement(db: Kysely<Database>, records: readonly AttemptRecord[]): Promise<void> {
  const log = sql.join(records.map((r) => sql`(${r.eventId}, ${r.appKey}, ${r.attempt}::integer, ${r.outcome.statusCode}::integer, ${r.outcome.error}::text, ${r.outcome.at}::bigint)`));
  const moves = sql.join(records.map((r) => sql`(${r.eventId}, ${r.appKey}, ${r.state}, ${r.attempt}::integer, ${r.nextAttemptAt}::bigint)`));
  await sql`
    with logged as (insert into event_delivery_log (event_id, app_key, attempt, status_code, error, at) values ${log})
    update event_deliveries d set state = m.state, attempts = m.attempts, next_attempt_at = m.next_attempt_at, claimed_by = null, claim_expires_at = null
    from (values ${moves}) as m(event_id, app_key, state, attempts, next_attempt_at)
    where d.event_id = m.event_id and d.app_key = m.app_key`.execute(db);
}

/** A value bound at run time: a marker of prepareQuery, typed as the value it stands for. */
function param<T>(marker: unknown): RawBuilder<T> {
  return sql<T>`${marker}`;
}

/** Pending deliveries with their events, callbacks and neighbours in their lines. */
function pendingRows(db: Kysely<Database>) {
  return db
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
      'a.event_mode',
      'a.event_aes_key',
      'a.event_token',
      sql<number | null>`(select max(p.seq) from event_deliveries p where p.state = ${PENDING} and p.app_key = d.app_key and p.conference_id = d.conference_id and p.seq < d.seq)`.as('prev_seq'),
      sql<number | null>`(select min(p.seq) from event_deliveries p where p.state = ${PENDING} and p.app_key = d.app_key and p.conference_id = d.conference_id and p.seq > d.seq)`.as('next_seq'),
    ])
    .where('d.state', '=', PENDING);
}

type PendingRow = Awaited<ReturnType<ReturnType<typeof pendingRows>['execute']>>[number];

function pendingDelivery(r: PendingRow): PendingDelivery {
  return {
    appKey: r.app_key,
    attempts: r.attempts,
    nextAttemptAt: Number(r.next_attempt_at),
    url: r.event_url ?? null,
    secret: r.event_secret ?? null,
    mode: r.event_mode === 'stream' || r.event_mode === 'callback' ? r.event_mode : null,
    aesKey: r.event_aes_key ?? null,
    token: r.event_token ?? null,
    prevSeq: r.prev_seq === null ? null : Number(r.prev_seq),
    nextSeq: r.next_seq === null ? null : Number(r.next_seq),
    data: r.data,
    event: {
      eventId: r.event_id,
      conferenceId: r.conference_id,
      corpId: r.corp_id,
      statusSeqNum: Number(r.seq),
      type: r.event_type as StoredEvent['type'],
      changeScene: r.change_scene as StoredEvent['changeScene'],
      eventTime: Number(r.event_time),
    },
  };
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
    .where('event_mode', 'is not', null)
    .execute();
  if (apps.length === 0) return [];
  // On PostgreSQL, appends to one meeting from concurrent transactions (several instances, or
  // one instance's pool) take turns until commit, so none reads a max(seq) another is about to
  // pass. SQLite has one writer at a time already.
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(hashtext(${first.conferenceId}))`.execute(tx);
  const last = await tx
    .selectFrom('events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('conference_id', '=', first.conferenceId)
    .executeTakeFirst();
  const planned = planEvents(events, apps, Number(last?.seq ?? 0));
  for (const { stored, deliveries } of planned) {
    await tx.insertInto('events').values(eventRow(stored)).execute();
    await tx.insertInto('event_deliveries').values(deliveries).execute();
  }
  return planned.map(asAppended);
}

/** An app of the event's organization with a callback URL, and the event types it takes (none = all). */
export interface Subscriber {
  app_key: string;
  event_types?: string | null;
}

/** An event to store and its deliveries, one per subscriber that takes its type. */
export interface PlannedEvent {
  stored: StoredEvent;
  deliveries: Insertable<EventDeliveriesTable>[];
}

/**
 * The events of one meeting that some subscriber takes, numbered on from `lastSeq`, with their
 * deliveries. An event no app takes is not stored: the outbox holds what has somewhere to go.
 */
export function planEvents(events: readonly NewEvent[], subscribers: readonly Subscriber[], lastSeq: number): PlannedEvent[] {
  const planned: PlannedEvent[] = [];
  let seq = lastSeq;
  for (const event of events) {
    const taking = subscribers.filter((a) => !a.event_types || (JSON.parse(a.event_types) as string[]).includes(event.type));
    if (taking.length === 0) continue;
    const stored = storedEvent(event, ++seq);
    planned.push({ stored, deliveries: taking.map((a) => deliveryRow(stored, a.app_key)) });
  }
  return planned;
}

export function asAppended(p: PlannedEvent): AppendedEvent {
  return { ...p.stored, deliveries: p.deliveries.length };
}

/** The event with its id and its meeting's statusSeqNum. Ids are time-ordered so new events append to the table's index. */
function storedEvent(event: NewEvent, statusSeqNum: number): StoredEvent {
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

/** A pending delivery of the event to one app, due at once. */
export function deliveryRow(e: StoredEvent, appKey: string): Insertable<EventDeliveriesTable> {
  return {
    event_id: e.eventId,
    app_key: appKey,
    conference_id: e.conferenceId,
    seq: e.statusSeqNum,
    state: 'pending',
    attempts: 0,
    next_attempt_at: e.eventTime,
  };
}
