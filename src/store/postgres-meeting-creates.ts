import type { Insertable, Kysely } from 'kysely';
import type { AppendedEvent, NewEvent } from '../domain/events.js';
import type { Meeting, Member } from '../domain/meeting.js';
import { asAppended, eventRow, planEvents, type Subscriber } from './event-repo.js';
import type { MeetingCreates, PendingCreate } from './meeting-creates.js';
import { meetingRow, memberRow } from './meeting-rows.js';
import type { Database } from './schema.js';

/** Rows per INSERT of a batch too big for one statement: a meeting row binds 17 parameters. */
const ROWS_PER_INSERT = 500;

/**
 * Meeting creation on PostgreSQL, batched: every create that reaches the store during one turn of
 * the event loop joins one atomic write, its meetings, members, events and deliveries each written
 * by one multi-row INSERT. A round trip and a commit (a WAL flush) cost more than the rows, so a
 * batch costs about what one create did. Nobody is answered before the commit. When a batch fails
 * (say, a room code taken meanwhile), it rolls back whole and each create is retried alone, so
 * only the failing one fails — as with SQLite's group commit
 * (sqlite-meeting-creates.ts). Batches of successive turns run side by side on the pool.
 */
export class PostgresMeetingCreates implements MeetingCreates {
  private queue: PendingCreate[] = [];
  /** Transactions committed and meetings they created, for operators and tests. */
  readonly stats = { commits: 0, meetings: 0 };

  constructor(private readonly db: Kysely<Database>) {}

  create(meeting: Meeting, members: readonly Member[], events: readonly NewEvent[]): Promise<AppendedEvent[]> {
    for (const e of events) {
      if (e.conferenceId !== meeting.conferenceId) return Promise.reject(new Error('events of a new meeting must be about that meeting'));
    }
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ meeting, members, events, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      const appended = await this.writeAtomically(batch);
      batch.forEach((p, i) => p.resolve(appended[i] ?? []));
    } catch (batchError) {
      if (batch.length === 1) return batch[0]!.reject(batchError);
      await Promise.all(
        batch.map((p) =>
          this.writeAtomically([p]).then(
            ([appended]) => p.resolve(appended ?? []),
            (err: unknown) => p.reject(err),
          ),
        ),
      );
    }
  }

  /**
   * Writes the batch atomically. Usually as one statement: the inserts chained as data-modifying CTEs
   * commit together without BEGIN and COMMIT, one round trip instead of five (the subscribers are read
   * just before, when there are events). A batch too big for one statement's parameters takes a
   * transaction of several.
   */
  private async writeAtomically(batch: readonly PendingCreate[]): Promise<AppendedEvent[][]> {
    const subscribers = await subscribersOf(this.db, batch);
    const events: Insertable<Database['events']>[] = [];
    const deliveries: Insertable<Database['event_deliveries']>[] = [];
    const appended = batch.map((p) => {
      if (p.events.length === 0) return [];
      // A new meeting has no events yet, so its own are numbered from 1.
      const planned = planEvents(p.events, subscribers.get(p.meeting.corpId) ?? [], 0);
      for (const { stored, deliveries: ds } of planned) {
        events.push(eventRow(stored));
        deliveries.push(...ds);
      }
      return planned.map(asAppended);
    });
    // Parents first: members and deliveries reference meetings and events.
    const all: Insert[] = [
      { table: 'meetings', rows: batch.map((p) => meetingRow(p.meeting)) },
      { table: 'meeting_members', rows: batch.flatMap((p) => p.members.map(memberRow)) },
      { table: 'events', rows: events },
      { table: 'event_deliveries', rows: deliveries },
    ];
    const inserts = all.filter((i) => i.rows.length > 0);
    const parameters = inserts.reduce((n, i) => n + i.rows.length * Object.keys(i.rows[0]!).length, 0);
    if (parameters <= MAX_PARAMETERS) await oneStatement(this.db, inserts).execute();
    else {
      await this.db.transaction().execute(async (tx) => {
        for (const i of inserts) await insertAll(tx, i.table, i.rows);
      });
    }
    this.stats.commits++;
    this.stats.meetings += batch.length;
    return appended;
  }
}

type Table = 'meetings' | 'meeting_members' | 'events' | 'event_deliveries';
interface Insert {
  table: Table;
  rows: Insertable<Database[Table]>[];
}

/** PostgreSQL binds at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000;

/** `with i0 as (insert …), i1 as (insert …) insert …`: one statement, so one atomic commit. */
function oneStatement(db: Kysely<Database>, inserts: readonly Insert[]) {
  const last = inserts.at(-1)!;
  // Kysely types each CTE's query; these are inserts without RETURNING, referenced by nobody.
  let builder: any = db;
  inserts.slice(0, -1).forEach((i, n) => {
    builder = builder.with(`i${n}`, (qb: Kysely<Database>) => qb.insertInto(i.table).values(i.rows as any));
  });
  return (builder as Kysely<Database>).insertInto(last.table).values(last.rows as any);
}

/** The subscribed apps of every organization that has a create with events in the batch. */
async function subscribersOf(db: Kysely<Database>, batch: readonly PendingCreate[]): Promise<Map<string, Subscriber[]>> {
  const corpIds = [...new Set(batch.filter((p) => p.events.length > 0).map((p) => p.meeting.corpId))];
  const byCorp = new Map<string, Subscriber[]>();
  if (corpIds.length === 0) return byCorp;
  const rows = await db
    .selectFrom('apps')
    .select(['corp_id', 'app_key', 'event_types'])
    .where('corp_id', 'in', corpIds)
    .where('event_mode', 'is not', null)
    .orderBy('app_key')
    .execute();
  for (const { corp_id, ...subscriber } of rows) {
    const list = byCorp.get(corp_id) ?? [];
    list.push(subscriber);
    byCorp.set(corp_id, list);
  }
  return byCorp;
}

async function insertAll(tx: Kysely<Database>, table: Table, rows: Insertable<Database[Table]>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await tx
      .insertInto(table)
      .values(rows.slice(i, i + ROWS_PER_INSERT) as any)
      .execute();
  }
}
