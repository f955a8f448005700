import type { AttemptOutcome, AttemptRecord, PendingDelivery } from '../store/event-repo.js';
import { CallbackCrypto } from './callback-crypto.js';
import { checkSuccessReply, encryptedRequest } from './encrypted-callback.js';
import { eventBody, eventHeaders } from './event-request.js';
import type { KeepAlivePoster } from './http-post.js';

/** Waits after failed attempts 1, 2, 3 …; after the last one the delivery is marked failed. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000, 3_600_000, 3_600_000];

/** The Stream-mode side of delivery (src/events/stream-gateway.ts): connections held by this instance. */
export interface StreamChannel {
  /** Whether an app's Stream-mode client that takes this event type is connected to this instance. */
  holds(appKey: string, eventType: string): boolean;
  /** Sends the event over the app's connection and waits for its acknowledgement; error null = SUCCESS. */
  deliver(d: PendingDelivery): Promise<{ error: string | null }>;
  /** Ends every wait for an acknowledgement (the worker is stopping). */
  abortAll(reason: string): void;
}

export interface SendContext {
  poster: KeepAlivePoster;
  now: () => number;
  /** Whether the worker is stopping: a failure then is its doing, not the receiver's. */
  stopping: () => boolean;
  stream?: StreamChannel | undefined;
}

/** One attempt at the delivery on the app's channel; undefined when it failed because the worker is stopping. */
export async function sendDelivery(d: PendingDelivery, attempt: number, ctx: SendContext): Promise<AttemptOutcome | undefined> {
  let statusCode: number | null = null;
  let error: string | null = null;
  if (d.mode === 'stream') {
    if (!ctx.stream) return { statusCode: null, error: 'Stream mode is not served here', at: ctx.now() };
    ({ error } = await ctx.stream.deliver(d));
  } else if (d.mode === 'callback' && d.url && d.aesKey && d.token) {
    ({ statusCode, error } = await sendEncrypted(d, d.url, new CallbackCrypto(d.token, d.aesKey, d.appKey), ctx));
  } else if (d.mode === 'callback' && d.url && d.secret) {
    const body = eventBody({ ...d.event, data: JSON.parse(d.data) as Record<string, unknown> });
    const timestamp = String(ctx.now());
    try {
      statusCode = await ctx.poster.post(d.url, body, eventHeaders(d.event, d.secret, timestamp, body, attempt));
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (err) {
      error = (err as Error).message || String(err);
    }
  } else {
    return { statusCode: null, error: 'the app has no eventCallback any more', at: ctx.now() };
  }
  if (ctx.stopping() && error !== null) return undefined;
  return { statusCode, error, at: ctx.now() };
}

/** DingTalk's encrypted callback: delivered once the receiver answers 2xx with the encrypted `success`. */
async function sendEncrypted(d: PendingDelivery, url: string, crypto: CallbackCrypto, ctx: SendContext): Promise<{ statusCode: number | null; error: string | null }> {
  const plain = eventBody({ ...d.event, data: JSON.parse(d.data) as Record<string, unknown> });
  const request = encryptedRequest(url, crypto, plain, ctx.now());
  try {
    const answer = await ctx.poster.exchange(request.url, request.body, request.headers);
    if (answer.status < 200 || answer.status > 299) return { statusCode: answer.status, error: `HTTP ${answer.status}` };
    return { statusCode: answer.status, error: checkSuccessReply(crypto, answer.body) };
  } catch (err) {
    return { statusCode: null, error: (err as Error).message || String(err) };
  }
}

/**
 * Where an attempt leaves its delivery: delivered; pending until the schedule's next wait has
 * passed; or failed once the schedule is used up or the app has no callback any more.
 */
export function attemptRecord(d: PendingDelivery, attempt: number, outcome: AttemptOutcome, schedule: readonly number[]): AttemptRecord {
  const delivered = outcome.error === null;
  const wait = schedule[attempt - 1];
  const retryAt = delivered || wait === undefined || d.mode === null ? undefined : outcome.at + wait;
  const state = delivered ? 'delivered' : retryAt === undefined ? 'failed' : 'pending';
  return { eventId: d.event.eventId, appKey: d.appKey, attempt, outcome, state, nextAttemptAt: retryAt ?? outcome.at };
}
