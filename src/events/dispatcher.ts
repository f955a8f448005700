import type { Logger } from 'pino';
import type { DeliveryClaims } from '../store/delivery-claims.js';
import type { PendingDelivery, SqlEventStore } from '../store/event-repo.js';
import { attemptRecord, DEFAULT_RETRY_SCHEDULE_MS, sendDelivery, type SendContext, type StreamChannel } from './delivery-attempt.js';
import { KeepAlivePoster } from './http-post.js';
import { LINE_DEPTH, LineQueues, type Finished, type Line } from './lines.js';
import { OutboxWalk, PAGE } from './outbox-walk.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { RetryWakeups } from './retry-wakeups.js';

export { DEFAULT_RETRY_SCHEDULE_MS } from './delivery-attempt.js';
export { eventBody } from './event-request.js';

export interface DispatcherOptions {
  retryScheduleMs?: readonly number[];
  /** Longest wait between looks at the whole outbox (deliveries due later, other instances' events). */
  pollMs?: number;
  /** One HTTP attempt's time limit. */
  timeoutMs?: number;
  /** Deliveries attempted at once. */
  batch?: number;
  now?: () => number;
  /**
   * Several instances deliver from one outbox: attempt a delivery only while holding its claim.
   * Unset where this worker is the only one (SQLite): no claim is ever written.
   */
  claims?: DeliveryClaims;
  /**
   * Apps in Stream mode: their deliveries are attempted only by an instance holding one of their
   * connections (src/events/stream-gateway.ts); elsewhere they stay pending, uncounted.
   */
  stream?: StreamChannel;
  /** A Stream-mode delivery was skipped here for want of the app's connection: tell the instance that holds it. */
  streamElsewhere?: (appKey: string) => void;
}

/**
 * The delivery worker: POSTs due outbox deliveries to the apps' callbacks, at least once, in
 * statusSeqNum order per app and meeting, retrying on the published schedule.
 *
 * The outbox is read in pages (OutboxWalk) into a queue per line, app and meeting (LineQueues); the
 * database is asked again when new events were stored or the queues run low, not per delivery.
 * Outcomes that end together are recorded in one transaction (OutcomeRecorder), and a line moves on
 * only once its head's outcome is committed. Retries falling due wake the worker (RetryWakeups).
 */
export class EventDispatcher {
  private readonly retry: readonly number[];
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly now: () => number;
  private readonly claims: DeliveryClaims | undefined;
  private readonly streamElsewhere: ((appKey: string) => void) | undefined;
  /** Deliveries whose attempts the stop cut short: their claims are given back. */
  private cutShort: PendingDelivery[] = [];
  private stopped = true;

  private readonly lines = new LineQueues({
    now: () => this.now(),
    wakeAt: (at) => this.wakeups.wakeAt(at),
    rereadQueued: () => this.kick(),
  });
  private readonly outbox = new OutboxWalk();
  private reading: Promise<void> | undefined;

  private readonly attempts = new Set<Promise<void>>();
  private readonly poster: KeepAlivePoster;
  private readonly sending: SendContext;
  private readonly recorder = new OutcomeRecorder<Finished>((records) => this.store.recordAttempts(records), {
    committed: (batch) => batch.forEach((f) => this.lines.settle(f)),
    failed: (batch, err) => {
      // Still pending in the outbox: the next sweep reads them again.
      this.logger.error({ err }, 'recording event delivery attempts failed');
      batch.forEach((f) => this.lines.drop(f.line));
    },
    settled: () => this.dispatch(),
  });

  private readonly wakeups: RetryWakeups;
  private pollTimer: NodeJS.Timeout | undefined;
  private kickTimer: NodeJS.Timeout | undefined;
  private kickAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly store: SqlEventStore,
    private readonly logger: Logger,
    opts: DispatcherOptions = {},
  ) {
    this.retry = opts.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
    this.pollMs = opts.pollMs ?? 5_000;
    this.poster = new KeepAlivePoster(opts.timeoutMs ?? 10_000);
    this.batch = opts.batch ?? 32;
    this.now = opts.now ?? Date.now;
    this.claims = opts.claims;
    this.streamElsewhere = opts.streamElsewhere;
    this.sending = { poster: this.poster, now: () => this.now(), stopping: () => this.stopped, stream: opts.stream };
    this.wakeups = new RetryWakeups({
      store,
      logger,
      pollMs: this.pollMs,
      now: () => this.now(),
      stopped: () => this.stopped,
      wake: () => this.wake(),
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.poster.reopen();
    this.pollTimer = setInterval(() => this.poll(), this.pollMs);
    this.pollTimer.unref();
    this.poll();
  }

  /** Looks at the outbox soon (called after each append): many wakes close together make one read. */
  wake(): void {
    if (this.stopped) return;
    this.outbox.markDirty();
    this.kick();
  }

  /** Reads the whole outbox soon: a Stream-mode client connected here, and its app's pending events can go. */
  resweep(): void {
    if (!this.stopped) this.poll();
  }

  /** Stops taking deliveries and aborts attempts in flight (they stay pending and are retried after a restart). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.pollTimer);
    this.wakeups.cancel();
    clearTimeout(this.kickTimer);
    this.poster.abortAll('the delivery worker is stopping');
    this.sending.stream?.abortAll('the delivery worker is stopping');
    await Promise.all([...this.attempts]);
    await this.releaseCutShort();
    await this.reading;
    await this.wakeups.lookup();
    // Attempts that ended before the stop are recorded; those cut short are made again after a restart.
    await this.recorder.drain();
    this.poster.close();
    this.lines.clear();
    this.recorder.clear();
    this.outbox.reset();
    this.kickAt = Number.POSITIVE_INFINITY;
  }

  /** Sweeps the whole outbox (other instances' events, anything a walk passed) and looks for the next retry due. */
  private poll(): void {
    this.outbox.wantSweep();
    this.kick();
    this.wakeups.watchNextDue();
  }

  // ---- reading the outbox ----

  /** Starts reading if there is something to read and nothing is being read. */
  private kick(): void {
    if (this.stopped || this.reading) return;
    if (!this.lines.hasRereads() && !this.walkDue()) return;
    this.reading = this.read()
      .catch((err: unknown) => {
        this.logger.error({ err }, 'reading the event outbox failed');
        // The page that failed is read again after a pause.
        const pause = Math.min(this.pollMs, 1_000);
        this.outbox.readFailed(this.now() + pause);
        this.later(pause);
      })
      .finally(() => {
        this.reading = undefined;
        this.kick();
      });
  }

  private async read(): Promise<void> {
    while (!this.stopped) {
      const line = this.lines.nextReread();
      if (line) await this.reread(line);
      else if (this.walkDue()) await this.walk();
      else return;
      this.dispatch();
    }
  }

  /** Whether to read the next page now; schedules a later look when it is only too soon. */
  private walkDue(): boolean {
    const wait = this.outbox.waitMs(this.now(), this.lines.held);
    if (wait === undefined) return false;
    if (wait > 0) this.later(wait);
    return wait === 0;
  }

  /** Looks again in `ms` (one timer, the earliest asked for). */
  private later(ms: number): void {
    const at = this.now() + ms;
    if (this.stopped || at >= this.kickAt) return;
    clearTimeout(this.kickTimer);
    this.kickAt = at;
    this.kickTimer = setTimeout(() => {
      this.kickAt = Number.POSITIVE_INFINITY;
      this.kick();
    }, ms);
    this.kickTimer.unref();
  }

  /** Reads the next page of due deliveries and takes those that continue known lines or start new ones. */
  private async walk(): Promise<void> {
    const now = this.now();
    const from = this.outbox.start(now);
    const rows = await this.lines.read(() => this.store.dueAfter(from, now, PAGE), (page) => this.lines.takePage(page));
    this.outbox.advance(rows, from, now);
  }

  /** Reads a line from its head, as the outbox has it now. */
  private async reread(line: Line): Promise<void> {
    try {
      await this.lines.read(
        () => this.store.lineOf(line.appKey, line.conferenceId, LINE_DEPTH),
        (rows) => this.lines.refill(line, rows),
      );
    } catch (err) {
      this.lines.forgetIfEmpty(line);
      throw err;
    }
  }

  // ---- attempts ----

  /** Starts attempts at ready heads, up to `batch` at once. */
  private dispatch(): void {
    while (!this.stopped && this.attempts.size < this.batch) {
      const next = this.lines.nextReady();
      if (!next) break;
      const { line, head } = next;
      const attempt = this.attempt(line, head)
        .catch((err: unknown) => {
          this.logger.error({ err, eventId: head.event.eventId, appKey: head.appKey }, 'event delivery attempt failed');
          // Nothing was recorded: the line is read again from the outbox by the next sweep.
          this.lines.drop(line);
        })
        .finally(() => {
          this.attempts.delete(attempt);
          this.dispatch();
        });
      this.attempts.add(attempt);
    }
    this.kick();
  }

  private async attempt(line: Line, d: PendingDelivery): Promise<void> {
    if (d.mode === 'stream' && !this.sending.stream?.holds(d.appKey, d.event.type)) {
      // The app's client is not connected here: the delivery waits, uncounted, for an instance that holds it.
      this.lines.drop(line);
      this.streamElsewhere?.(d.appKey);
      return;
    }
    if (this.claims && !(await this.claims.take(d, this.now()))) {
      // Another instance is attempting it, or has moved it on: its line is read again by a later sweep.
      this.lines.drop(line);
      return;
    }
    const attempt = d.attempts + 1;
    const outcome = await sendDelivery(d, attempt, this.sending);
    // An attempt cut short by shutdown is not counted: it is made again after the restart.
    if (!outcome) {
      if (this.claims) this.cutShort.push(d);
      return;
    }
    const record = attemptRecord(d, attempt, outcome, this.retry);
    this.recorder.add({ line, delivery: d, record });
    if (record.state !== 'delivered') {
      const log = { eventId: d.event.eventId, appKey: d.appKey, attempt, statusCode: outcome.statusCode, error: outcome.error };
      if (record.state === 'failed') this.logger.warn(log, 'event delivery failed for good');
      else this.logger.info({ ...log, retryInMs: this.retry[attempt - 1] }, 'event delivery failed; will retry');
    }
  }

  /** Other instances may attempt what this one let go of at once, not only once its claims expire. */
  private async releaseCutShort(): Promise<void> {
    const deliveries = this.cutShort;
    this.cutShort = [];
    if (!this.claims || deliveries.length === 0) return;
    try {
      await this.claims.release(deliveries);
    } catch (err) {
      this.logger.warn({ err }, 'releasing event delivery claims failed; they expire by themselves');
    }
  }
}
