import type { Logger } from 'pino';
import type { StoredEvent } from '../domain/events.js';
import type { DueDelivery, SqlEventStore } from '../store/event-repo.js';
import { EventHeaders, signEvent } from './signature.js';

/** Waits after failed attempts 1, 2, 3 …; after the last one the delivery is marked failed. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000, 3_600_000, 3_600_000];

export interface DispatcherOptions {
  retryScheduleMs?: readonly number[];
  /** Longest wait between looks at the outbox (deliveries due later, other instances' events). */
  pollMs?: number;
  /** One HTTP attempt's time limit. */
  timeoutMs?: number;
  /** Deliveries attempted at once. */
  batch?: number;
  now?: () => number;
}

const lane = (d: DueDelivery): string => `${d.appKey}\n${d.event.conferenceId}`;

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

/**
 * The delivery worker: POSTs due outbox deliveries to the apps' callbacks, at least once, in
 * statusSeqNum order per app and meeting, retrying on the published schedule.
 */
export class EventDispatcher {
  private readonly retry: readonly number[];
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly batch: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly inflight = new Set<AbortController>();
  /** Attempts under way, by app and meeting: one at a time each, so a meeting's events stay in order. */
  private readonly busy = new Map<string, Promise<void>>();

  constructor(
    private readonly store: SqlEventStore,
    private readonly logger: Logger,
    opts: DispatcherOptions = {},
  ) {
    this.retry = opts.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
    this.pollMs = opts.pollMs ?? 5_000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.batch = opts.batch ?? 32;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wake();
  }

  /** Looks at the outbox now (called after each append). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain()
      .catch((err: unknown) => this.logger.error({ err }, 'event delivery round failed'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else void this.schedule();
      });
  }

  /** Stops taking deliveries and aborts attempts in flight (they stay pending and are retried after a restart). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const c of this.inflight) c.abort();
    await this.running;
    await Promise.all(this.busy.values());
  }

  private async schedule(): Promise<void> {
    // Deliveries due now were all started by drain(); their ends wake the worker again.
    const now = this.now();
    const next = await this.store.nextDueAfter(now).catch(() => undefined);
    if (this.stopped) return;
    const wait = next === undefined ? this.pollMs : Math.min(this.pollMs, Math.max(1, next - now));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), wait);
    this.timer.unref();
  }

  /**
   * Starts due attempts up to `batch` at once without waiting for them, so a slow receiver holds up
   * only its own app's deliveries; each finished attempt looks at the outbox again.
   */
  private async drain(): Promise<void> {
    while (!this.stopped && this.busy.size < this.batch) {
      const due = (await this.store.due(this.now(), this.batch + this.busy.size)).filter((d) => !this.busy.has(lane(d)));
      if (due.length === 0 || this.stopped) return;
      for (const d of due.slice(0, this.batch - this.busy.size)) {
        const key = lane(d);
        const done = this.attempt(d)
          .catch((err: unknown) => this.logger.error({ err, eventId: d.event.eventId, appKey: d.appKey }, 'event delivery attempt failed'))
          .finally(() => {
            this.busy.delete(key);
            this.wake();
          });
        this.busy.set(key, done);
      }
    }
  }

  private async attempt(d: DueDelivery): Promise<void> {
    const attempt = d.attempts + 1;
    let statusCode: number | null = null;
    let error: string | null = null;
    if (!d.url || !d.secret) {
      error = 'the app has no eventCallback any more';
    } else {
      const body = eventBody(d.event);
      const timestamp = String(this.now());
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.timeoutMs);
      this.inflight.add(controller);
      try {
        const res = await fetch(d.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [EventHeaders.eventId]: d.event.eventId,
            [EventHeaders.eventType]: d.event.type,
            [EventHeaders.timestamp]: timestamp,
            [EventHeaders.signature]: signEvent(d.secret, timestamp, body),
            [EventHeaders.attempt]: String(attempt),
          },
          body,
          signal: controller.signal,
          redirect: 'manual',
        });
        statusCode = res.status;
        await res.body?.cancel().catch(() => {});
        if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
      } catch (err) {
        error = (err as Error).message || String(err);
      } finally {
        clearTimeout(timer);
        this.inflight.delete(controller);
      }
      // An attempt cut short by shutdown is not counted: it is made again after the restart.
      if (this.stopped && error !== null) return;
    }
    const at = this.now();
    const delivered = error === null;
    const wait = this.retry[attempt - 1];
    const retryAt = delivered || wait === undefined || !d.url ? undefined : at + wait;
    await this.store.recordAttempt(d, { statusCode, error, at }, delivered, retryAt);
    if (!delivered) {
      const log = { eventId: d.event.eventId, appKey: d.appKey, attempt, statusCode, error };
      if (retryAt === undefined) this.logger.warn(log, 'event delivery failed for good');
      else this.logger.info({ ...log, retryInMs: wait }, 'event delivery failed; will retry');
    }
  }
}
