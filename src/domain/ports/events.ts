/** The conference event outbox. */
import type { AppendedEvent, NewEvent } from '../events.js';

export interface EventOutbox {
  /**
   * Stores the event with the next statusSeqNum of its meeting and queues one delivery per app of
   * its organization subscribed to its type, atomically. An event no app takes is not stored
   * (undefined): there is nobody to deliver it to, and statusSeqNum counts stored events only.
   */
  append(event: NewEvent): Promise<AppendedEvent | undefined>;
  /** Several events of one meeting, with consecutive statusSeqNums, atomically; returns those stored. */
  appendAll(events: readonly NewEvent[]): Promise<AppendedEvent[]>;
}

/** One-shot tickets of Stream-mode connections (POST /v1.0/gateway/connections/open), by hash. */
export interface StreamTicketStore {
  insert(ticketHash: string, appKey: string, subscriptions: string, expiresAt: number): Promise<void>;
  /** The ticket's app and subscriptions, once: a ticket taken is gone. Undefined when unknown or expired. */
  take(ticketHash: string, now: number): Promise<{ appKey: string; subscriptions: string } | undefined>;
  purge(before: number): Promise<void>;
}
