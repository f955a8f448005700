import type { OutgoingHttpHeaders } from 'node:http';
import type { StoredEvent } from '../domain/events.js';
import { EventHeaders, signEvent } from './signature.js';

/** The HTTP-push body of §e.5: the envelope fields next to the event's data. */
export function eventBody(event: StoredEvent): string {
  return JSON.stringify({
    EventType: event.type,
    EventTime: event.eventTime,
    CorpId: event.corpId,
    BizId: event.conferenceId,
    eventId: event.eventId,
    changeScene: event.changeScene,
    statusSeqNum: event.statusSeqNum,
    ...event.data,
  });
}

/** The headers of one attempt at delivering `body`, signed at `timestamp` (docs/events.md). */
export function eventHeaders(
  event: Pick<StoredEvent, 'eventId' | 'type'>,
  secret: string,
  timestamp: string,
  body: string,
  attempt: number,
): OutgoingHttpHeaders {
  return {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    [EventHeaders.eventId]: event.eventId,
    [EventHeaders.eventType]: event.type,
    [EventHeaders.timestamp]: timestamp,
    [EventHeaders.signature]: signEvent(secret, timestamp, body),
    [EventHeaders.attempt]: String(attempt),
  };
}
