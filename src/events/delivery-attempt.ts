import type { AttemptOutcome, AttemptRecord, PendingDelivery } from '../store/event-repo.js';
import { eventBody, eventHeaders } from './event-request.js';
import type { KeepAlivePoster } from './http-post.js';

/** Waits after failed attempts 1, 2, 3 …; after the last one the delivery is marked failed. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000, 3_600_000, 3_600_000];

export interface SendContext {
  poster: KeepAlivePoster;
  now: () => number;
  /** Whether the worker is stopping: a failure then is its doing, not the receiver's. */
  stopping: () => boolean;
}

/** One signed POST of the delivery; undefined when it failed because the worker is stopping. */
export async function sendDelivery(d: PendingDelivery, attempt: number, ctx: SendContext): Promise<AttemptOutcome | undefined> {
  if (!d.url || !d.secret) return { statusCode: null, error: 'the app has no eventCallback any more', at: ctx.now() };
  const body = eventBody({ ...d.event, data: JSON.parse(d.data) as Record<string, unknown> });
  const timestamp = String(ctx.now());
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    statusCode = await ctx.poster.post(d.url, body, eventHeaders(d.event, d.secret, timestamp, body, attempt));
    if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
  } catch (err) {
    error = (err as Error).message || String(err);
  }
  if (ctx.stopping() && error !== null) return undefined;
  return { statusCode, error, at: ctx.now() };
}

/**
 * Where an attempt leaves its delivery: delivered; pending until the schedule's next wait has
 * passed; or failed once the schedule is used up or the app has no callback any more.
 */
export function attemptRecord(d: PendingDelivery, attempt: number, outcome: AttemptOutcome, schedule: readonly number[]): AttemptRecord {
  const delivered = outcome.error === null;
  const wait = schedule[attempt - 1];
  const retryAt = delivered || wait === undefined || !d.url ? undefined : outcome.at + wait;
  const state = delivered ? 'delivered' : retryAt === undefined ? 'failed' : 'pending';
  return { eventId: d.event.eventId, appKey: d.appKey, attempt, outcome, state, nextAttemptAt: retryAt ?? outcome.at };
}
