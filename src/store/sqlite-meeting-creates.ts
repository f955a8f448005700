import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { AppendedEvent, NewEvent, StoredEvent } from '../domain/events.js';
import { memberRecord, type Meeting, type Member } from '../domain/meeting.js';
import { asAppended, deliveryRow, eventRow, planEvents, type Subscriber } from './event-repo.js';
import type { MeetingCreates, PendingCreate } from './meeting-creates.js';
import { meetingRow, memberRow } from './meeting-rows.js';
import type { Database } from './schema.js';
import { compiledInsert, compiledSelect } from './sqlite-compiled.js';

/**
 * Meeting creation on SQLite with group commit. Every create that reaches the store during one
 * turn of the event loop joins one transaction. Nobody is answered before that commit, so each
 * meeting is as durable as with a transaction of its own, while the WAL receives the shared index
 * pages once per batch instead of once per meeting (the commit was over half of a create's
 * database time). When any create of a batch fails (say, a room code taken meanwhile), the batch
 * rolls back whole and each create runs again in a transaction of its own, so only the failing
 * one fails. That is rarer than rare, so the common path carries no savepoints.
 *
 * The statements are compiled by Kysely once and run straight on the connection. That is safe only
 * while holding Kysely's connection: then no Kysely transaction is open on it.
 */
export class SqliteMeetingCreates implements MeetingCreates {
  private queue: PendingCreate[] = [];
  private scheduled = false;
  /** Transactions committed and meetings they created, for operators and tests. */
  readonly stats = { commits: 0, meetings: 0 };
  private readonly insertMeeting;
  private readonly insertMember;
  private readonly insertEvent;
  private readonly insertDelivery;
  private readonly subscribers;
  private readonly inOneTransaction: (batch: readonly PendingCreate[]) => AppendedEvent[][];

  constructor(
    private readonly db: Kysely<Database>,
    file: SqliteDatabase.Database,
  ) {
    // The column lists are those the row builders produce, so the two cannot drift apart.
    this.insertMeeting = compiledInsert(db, file, 'meetings', columnsOf(meetingRow(SAMPLE_MEETING)));
    this.insertMember = compiledInsert(db, file, 'meeting_members', columnsOf(memberRow(SAMPLE_MEMBER)));
    this.insertEvent = compiledInsert(db, file, 'events', columnsOf(eventRow(SAMPLE_EVENT)));
    this.insertDelivery = compiledInsert(db, file, 'event_deliveries', columnsOf(deliveryRow(SAMPLE_EVENT, '')));
    this.subscribers = compiledSelect<Subscriber>(file, 1, (corpId) =>
      db.selectFrom('apps').select(['app_key', 'event_types']).where('corp_id', '=', corpId).where('event_mode', 'is not', null),
    );
    this.inOneTransaction = file.transaction((batch: readonly PendingCreate[]) => {
      const byCorp = new Map<string, Subscriber[]>();
      const subscribersOf = (corpId: string): Subscriber[] => {
        let found = byCorp.get(corpId);
        if (!found) byCorp.set(corpId, (found = this.subscribers.all(corpId)));
        return found;
      };
      return batch.map((p) => this.write(p, subscribersOf));
    }).immediate;
  }

  create(meeting: Meeting, members: readonly Member[], events: readonly NewEvent[]): Promise<AppendedEvent[]> {
    for (const e of events) {
      if (e.conferenceId !== meeting.conferenceId) return Promise.reject(new Error('events of a new meeting must be about that meeting'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ meeting, members, events, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const settle: (() => void)[] = [];
    try {
      await this.db.connection().execute(async () => {
        // Taken once the connection is ours: creates queued while waiting for it join this batch.
        const batch = this.queue;
        this.queue = [];
        this.scheduled = false;
        settle.push(...this.commit(batch));
      });
    } catch (err) {
      // The connection could not be had (the database is closing): nothing was written.
      const waiting = this.queue;
      this.queue = [];
      this.scheduled = false;
      for (const p of waiting) p.reject(err);
    }
    for (const answer of settle) answer();
  }

  /** Writes the batch; returns how to answer each create, to run once the connection is let go. */
  private commit(batch: readonly PendingCreate[]): (() => void)[] {
    try {
      const appended = this.inOneTransaction(batch);
      this.counted(batch.length);
      return batch.map((p, i) => () => p.resolve(appended[i] ?? []));
    } catch (batchError) {
      if (batch.length === 1) return [() => batch[0]!.reject(batchError)];
      return batch.map((p) => {
        try {
          const [appended] = this.inOneTransaction([p]);
          this.counted(1);
          return () => p.resolve(appended ?? []);
        } catch (error) {
          return () => p.reject(error);
        }
      });
    }
  }

  private counted(meetings: number): void {
    this.stats.commits++;
    this.stats.meetings += meetings;
  }

  /** The rows of one create. A new meeting has no events yet, so its own are numbered from 1. */
  private write(p: PendingCreate, subscribersOf: (corpId: string) => Subscriber[]): AppendedEvent[] {
    this.insertMeeting.run(meetingRow(p.meeting));
    for (const m of p.members) this.insertMember.run(memberRow(m));
    if (p.events.length === 0) return [];
    const planned = planEvents(p.events, subscribersOf(p.meeting.corpId), 0);
    for (const { stored, deliveries } of planned) {
      this.insertEvent.run(eventRow(stored));
      for (const d of deliveries) this.insertDelivery.run(d);
    }
    return planned.map(asAppended);
  }
}

function columnsOf<R extends object>(row: R): (keyof R & string)[] {
  return Object.keys(row) as (keyof R & string)[];
}

/** Only their keys are used: the column lists of the compiled inserts. */
const SAMPLE_MEETING: Meeting = {
  conferenceId: '',
  corpId: '',
  title: '',
  status: 0,
  bizType: '',
  creatorUnionId: '',
  creatorNick: '',
  roomCode: '',
  conferencePassword: '',
  hostPassword: '',
  joinToken: '',
  inviteCaller: false,
  createdAt: 0,
  startTime: null,
  endTime: null,
  scheduleConferenceId: null,
};
const SAMPLE_MEMBER: Member = memberRecord({ conferenceId: '', memberId: '', nick: '' });
const SAMPLE_EVENT: StoredEvent = { conferenceId: '', corpId: '', type: 'meeting_status_change', changeScene: 'conference_created', eventTime: 0, data: {}, eventId: '', statusSeqNum: 1 };
