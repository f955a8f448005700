import type { Kysely } from 'kysely';
import type { AppendedEvent, NewEvent } from '../domain/events.js';
import type { Meeting, Member } from '../domain/meeting.js';
import { appendEventsIn } from './event-repo.js';
import { meetingRow, memberRow } from './meeting-rows.js';
import type { Database } from './schema.js';

/** How a new meeting, its member records and its first events reach the database, atomically. */
export interface MeetingCreates {
  create(meeting: Meeting, members: readonly Member[], events: readonly NewEvent[]): Promise<AppendedEvent[]>;
}

/** A create waiting in a batch (group commit on SQLite, one statement per turn on PostgreSQL). */
export interface PendingCreate {
  meeting: Meeting;
  members: readonly Member[];
  events: readonly NewEvent[];
  resolve(appended: AppendedEvent[]): void;
  reject(err: unknown): void;
}

/** One Kysely transaction per meeting: works on every dialect. */
export class TransactionalMeetingCreates implements MeetingCreates {
  constructor(private readonly db: Kysely<Database>) {}

  create(meeting: Meeting, members: readonly Member[], events: readonly NewEvent[]): Promise<AppendedEvent[]> {
    return this.db.transaction().execute(async (tx) => {
      await tx.insertInto('meetings').values(meetingRow(meeting)).execute();
      if (members.length > 0) await tx.insertInto('meeting_members').values(members.map(memberRow)).execute();
      return appendEventsIn(tx, events);
    });
  }
}
