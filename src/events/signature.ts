import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of an event delivery (docs/events.md). */
export const EventHeaders = {
  eventId: 'x-vconf-event-id',
  eventType: 'x-vconf-event-type',
  timestamp: 'x-vconf-timestamp',
  signature: 'x-vconf-signature',
  attempt: 'x-vconf-delivery-attempt',
} as const;

/** `sha256=` + hex HMAC-SHA256 of `timestamp + "\n" + body` keyed with the app's callback secret. */
export function signEvent(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}\n${body}`).digest('hex')}`;
}

/** What a receiver does: recompute and compare in constant time. */
export function verifyEvent(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signEvent(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
