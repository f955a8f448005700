import type { Insertable, Kysely } from 'kysely';
import type { AppendedEvent, NewEvent } from '../domain/events.js';
import type { Meeting, Member } from '../domain/meeting.js';
import { asAppended, eventRow, planEvents, type Subscriber } from './event-repo.js';
import type { MeetingCreates } from './meeting-creates.js';
import { meetingRow, memberRow } from './meeting-rows.js';
import type { Database } from './schema.js';

interface PendingCreate {
  meeting: Meeting;
  members: readonly Member[];
  events: readonly NewEvent[];
  resolve(appended: AppendedEvent[]): void;
  reject(err: unknown): void;
}

/** Rows per INSERT: PostgreSQL binds at most 65,535 parameters per statement, and a meeting row has 17. */
const ROWS_PER_INSERT = 500;

/**
 * Meeting creation on PostgreSQL, batched: every create that reaches the store during one turn of
 * the event loop joins one transaction, its meetings, members, events and deliveries each written
 * by one multi-row INSERT. A round trip and a commit (a WAL flush) cost more than the rows, so a
 * batch costs about what one create did. Nobody is answered before the commit. When a batch fails
 * (say, a room code taken meanwhile), it rolls back whole and each create runs again in a
 * transaction of its own, so only the failing one fails — as with SQLite's group commit
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
      const appended = await this.inOneTransaction(batch);
      batch.forEach((p, i) => p.resolve(appended[i] ?? []));
    } catch (batchError) {
      if (batch.length === 1) return batch[0]!.reject(batchError);
      await Promise.all(
        batch.map((p) =>
          this.inOneTransaction([p]).then(
            ([appended]) => p.resolve(appended ?? []),
            (err: unknown) => p.reject(err),
          ),
        ),
      );
    }
  }

  private async inOneTransaction(batch: readonly PendingCreate[]): Promise<AppendedEvent[][]> {
    const appended = await this.db.transaction().execute(async (tx) => {
      const subscribers = await subscribersOf(tx, batch);
      const events: Insertable<Database['events']>[] = [];
      const deliveries: Insertable<Database['event_deliveries']>[] = [];
      const answers = batch.map((p) => {
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
      await insertAll(tx, 'meetings', batch.map((p) => meetingRow(p.meeting)));
      await insertAll(tx, 'meeting_members', batch.flatMap((p) => p.members.map(memberRow)));
      await insertAll(tx, 'events', events);
      await insertAll(tx, 'event_deliveries', deliveries);
      return answers;
    });
    this.stats.commits++;
    this.stats.meetings += batch.length;
    return appended;
  }
}

/** The subscribed apps of every organization that has a create with events in the batch. */
async function subscribersOf(tx: Kysely<Database>, batch: readonly PendingCreate[]): Promise<Map<string, Subscriber[]>> {
  const corpIds = [...new Set(batch.filter((p) => p.events.length > 0).map((p) => p.meeting.corpId))];
  const byCorp = new Map<string, Subscriber[]>();
  if (corpIds.length === 0) return byCorp;
  const rows = await tx
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

async function insertAll<T extends 'meetings' | 'meeting_members' | 'events' | 'event_deliveries'>(
  tx: Kysely<Database>,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await tx
      .insertInto(table)
      .values(rows.slice(i, i + ROWS_PER_INSERT) as any)
      .execute();
  }
}
