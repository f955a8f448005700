import http, { type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { Logger } from 'pino';
import type { StoredEvent } from '../domain/events.js';
import { WALK_START, type AttemptOutcome, type AttemptRecord, type PendingDelivery, type SqlEventStore, type WalkKey } from '../store/event-repo.js';
import { EventHeaders, signEvent } from './signature.js';

/** Waits after failed attempts 1, 2, 3 …; after the last one the delivery is marked failed. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000, 3_600_000, 3_600_000];

export interface DispatcherOptions {
  retryScheduleMs?: readonly number[];
  /** Longest wait between looks at the whole outbox (deliveries due later, other instances' events). */
  pollMs?: number;
  /** One HTTP attempt's time limit. */
  timeoutMs?: number;
  /** Deliveries attempted at once. */
  batch?: number;
  now?: () => number;
}

/** Pending deliveries read from the outbox at once. */
const PAGE = 256;
/** Deliveries of one line (app and meeting) held at once: a long line must not fill the read-ahead alone. */
const LINE_DEPTH = 16;
/** Deliveries held in memory, read but not yet recorded; reading pauses above it. */
const READ_AHEAD = 4 * PAGE;
/** Least pause between reads once the outbox is read to its end: new events are taken in batches. */
const READ_GAP_MS = 20;
/**
 * Events are stored with the time they happened, which can be a little before their commit: a read
 * may have passed that time already. Every so often a read starts this far back to take them too;
 * the sweep of every pollMs catches anything later still.
 */
const RESCAN_EVERY_MS = 250;
const RESCAN_WINDOW_MS = 2_000;
/**
 * How long an ended attempt waits for others to be recorded with it. Each commit writes the index
 * and table pages it touched to the WAL, so a few more outcomes per commit save more than the wait
 * costs; a line's next delivery waits for this commit (order survives a crash).
 */
const FLUSH_DELAY_MS = 5;
/** Callback URLs kept parsed; more than this many (directory changes) starts the cache afresh. */
const MAX_TARGETS = 1_000;
/** Bytes of a receiver's answer read before its connection is dropped (the answer's body is not used). */
const MAX_ANSWER_BYTES = 64 * 1024;

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

/** An app's pending deliveries of one meeting: delivered one at a time, in statusSeqNum order. */
interface Line {
  key: string;
  appKey: string;
  conferenceId: string;
  /** Pending deliveries known here, each the line's next after the one before; the first is the head. */
  queue: PendingDelivery[];
  /** The head is being attempted, or its outcome not yet recorded. */
  busy: boolean;
  /** Waiting in `ready`. */
  ready: boolean;
  /** Waiting to be read again from the outbox. */
  rereading: boolean;
  /** Some of its pending deliveries were read but not taken: read the line again once its queue runs dry. */
  stale: boolean;
}

/** Where a callback URL points, as http.request takes it. */
interface Target {
  secure: boolean;
  options: RequestOptions;
}

/** An attempt that ended, waiting to be recorded. */
interface Finished {
  line: Line;
  delivery: PendingDelivery;
  record: AttemptRecord;
}

const lineKey = (appKey: string, conferenceId: string): string => `${appKey}\n${conferenceId}`;
const seqKey = (line: string, seq: number): string => `${line}\n${seq}`;
const keyOf = (d: PendingDelivery): WalkKey => ({ at: d.nextAttemptAt, eventId: d.event.eventId, appKey: d.appKey });
const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byLineThenSeq = (a: PendingDelivery, b: PendingDelivery): number =>
  order(a.appKey, b.appKey) || order(a.event.conferenceId, b.event.conferenceId) || a.event.statusSeqNum - b.event.statusSeqNum;
const compareKeys = (a: WalkKey, b: WalkKey): number => a.at - b.at || order(a.eventId, b.eventId) || order(a.appKey, b.appKey);
const laterKey = (a: WalkKey, b: WalkKey): WalkKey => (compareKeys(a, b) >= 0 ? a : b);
const earlierKey = (a: WalkKey, b: WalkKey): WalkKey => (compareKeys(a, b) <= 0 ? a : b);

/**
 * The delivery worker: POSTs due outbox deliveries to the apps' callbacks, at least once, in
 * statusSeqNum order per app and meeting, retrying on the published schedule.
 *
 * The outbox is read in pages, walking the pending deliveries in due-time order from where the last
 * read stopped, into a queue per line (app and meeting); the database is asked again when new events
 * were stored or the queues run low, not per delivery. Outcomes that end together are recorded in one
 * transaction, and a line moves on only once its head's outcome is committed. A head that is to be
 * retried takes its line out of memory: the outbox holds it back until it is due again (see dueAfter).
 */
export class EventDispatcher {
  private readonly retry: readonly number[];
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly batch: number;
  private readonly now: () => number;
  private stopped = true;

  private readonly lines = new Map<string, Line>();
  /** Lines whose head can be attempted, oldest first. */
  private ready: Line[] = [];
  /** Lines to read again from the outbox, one query each. */
  private rereads: Line[] = [];
  /** Deliveries held in line queues. */
  private held = 0;

  /** Where the walk over the outbox stands, and whether the last read stopped at its page size. */
  private cursor: WalkKey = WALK_START;
  private morePages = false;
  /** Events were stored since the last read began. */
  private dirty = false;
  private sweepWanted = true;
  private rescanOwed = false;
  private lastRescanAt = Number.NEGATIVE_INFINITY;
  private caughtUpAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  /**
   * While a read is under way, heads settled meanwhile: the read may still show them pending. A line
   * closed at seq n lets its delivery after n go next; a blocked line (retry) lets nothing go.
   */
  private readonly closedDuringRead = new Set<string>();
  private readonly blockedDuringRead = new Set<string>();
  private readInFlight = false;

  private readonly attempts = new Set<Promise<void>>();
  /** HTTP requests under way, to cut short on stop(). */
  private readonly requests = new Set<http.ClientRequest>();
  private readonly targets = new Map<string, Target>();
  private outcomes: Finished[] = [];
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;

  private pollTimer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private watching: Promise<void> | undefined;
  private kickTimer: NodeJS.Timeout | undefined;
  private kickAt = Number.POSITIVE_INFINITY;
  private readonly wakeTimers = new Set<NodeJS.Timeout>();
  /** Keep-alive agents: deliveries reuse their receivers' connections instead of opening one each. */
  private agents = newAgents();

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
    this.agents = newAgents();
    this.pollTimer = setInterval(() => this.poll(), this.pollMs);
    this.pollTimer.unref();
    this.poll();
  }

  /** Looks at the outbox soon (called after each append): many wakes close together make one read. */
  wake(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.kick();
  }

  /** Stops taking deliveries and aborts attempts in flight (they stay pending and are retried after a restart). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.dueTimer);
    clearTimeout(this.kickTimer);
    for (const t of this.wakeTimers) clearTimeout(t);
    this.wakeTimers.clear();
    for (const r of this.requests) r.destroy(new Error('the delivery worker is stopping'));
    await Promise.all([...this.attempts]);
    await this.reading;
    await this.watching;
    // Attempts that ended before the stop are recorded; those cut short are made again after a restart.
    while (this.flushing || this.outcomes.length > 0) await (this.flushing ?? this.flush());
    for (const agent of Object.values(this.agents)) agent.destroy();
    this.forgetAll();
  }

  /** Sweeps the whole outbox (other instances' events, anything a walk passed) and looks for the next retry due. */
  private poll(): void {
    this.sweepWanted = true;
    this.kick();
    this.watchNextDue();
  }

  /**
   * Wakes when the outbox's next retry falls due, then looks for the one after: retries of an earlier
   * run or another instance go out on time, not at the next poll.
   */
  private watchNextDue(): void {
    const now = this.now();
    this.watching = this.store.nextDueAfter(now).then(
      (next) => {
        if (this.stopped || next === undefined || next - now >= this.pollMs) return;
        clearTimeout(this.dueTimer);
        this.dueTimer = setTimeout(() => {
          this.wake();
          this.watchNextDue();
        }, afterClock(next - this.now()));
        this.dueTimer.unref();
      },
      (err: unknown) => this.logger.error({ err }, 'looking for the next event delivery due failed'),
    );
  }

  /** A look at the outbox once `at` has come (a retry of ours falls due); later ones are left to watchNextDue. */
  private wakeAt(at: number): void {
    const wait = at - this.now();
    if (this.stopped || wait >= this.pollMs) return;
    const timer = setTimeout(() => {
      this.wakeTimers.delete(timer);
      this.wake();
    }, afterClock(wait));
    timer.unref();
    this.wakeTimers.add(timer);
  }

  // ---- reading the outbox ----

  /** Starts reading if there is something to read and nothing is being read. */
  private kick(): void {
    if (this.stopped || this.reading) return;
    if (this.rereads.length === 0 && !this.walkDue()) return;
    this.reading = this.read()
      .catch((err: unknown) => {
        this.logger.error({ err }, 'reading the event outbox failed');
        // The page that failed is read again after a pause.
        this.dirty = true;
        this.pausedUntil = this.now() + Math.min(this.pollMs, 1_000);
        this.later(Math.min(this.pollMs, 1_000));
      })
      .finally(() => {
        this.reading = undefined;
        this.kick();
      });
  }

  private async read(): Promise<void> {
    while (!this.stopped) {
      const line = this.rereads.shift();
      if (line) await this.reread(line);
      else if (this.walkDue()) await this.walk();
      else return;
      this.dispatch();
    }
  }

  /** Whether to read the next page now; schedules a later look when it is only too soon. */
  private walkDue(): boolean {
    const now = this.now();
    if (this.held >= READ_AHEAD || now < this.pausedUntil) return false;
    if (this.morePages) return true;
    if (this.dirty || this.sweepWanted) return this.notBefore(this.caughtUpAt + READ_GAP_MS, now);
    if (this.rescanOwed) return this.notBefore(this.lastRescanAt + RESCAN_EVERY_MS, now);
    return false;
  }

  private notBefore(at: number, now: number): boolean {
    if (now >= at) return true;
    this.later(at - now);
    return false;
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
    const from = this.walkFrom(now);
    this.dirty = false;
    const rows = await this.readAndTake(() => this.store.dueAfter(from, now, PAGE), (page) => {
      // A meeting's events of one moment come in id order, not statusSeqNum order.
      for (const d of [...page].sort(byLineThenSeq)) this.take(d);
    });
    const last = rows.at(-1);
    this.morePages = rows.length === PAGE;
    if (last && this.morePages) this.cursor = keyOf(last);
    else {
      // Everything due by `now` was seen: lines held back are read again through their heads.
      this.cursor = laterKey(last ? keyOf(last) : from, { at: now, eventId: '', appKey: '' });
      this.caughtUpAt = now;
    }
  }

  /** Where this read starts: on from the last, or further back for a rescan or a sweep. */
  private walkFrom(now: number): WalkKey {
    if (this.sweepWanted) {
      this.sweepWanted = false;
      this.rescanOwed = false;
      this.lastRescanAt = now;
      return WALK_START;
    }
    if (now - this.lastRescanAt >= RESCAN_EVERY_MS) {
      this.rescanOwed = false;
      this.lastRescanAt = now;
      return earlierKey(this.cursor, { at: now - RESCAN_WINDOW_MS, eventId: '', appKey: '' });
    }
    this.rescanOwed = true;
    return this.cursor;
  }

  /** Reads a line from its head, as the outbox has it now. */
  private async reread(line: Line): Promise<void> {
    try {
      await this.readAndTake(
        () => this.store.lineOf(line.appKey, line.conferenceId, LINE_DEPTH),
        (rows) => this.refill(line, rows),
      );
    } catch (err) {
      // Let go of it: a later read opens it again.
      if (this.lines.get(line.key) === line && line.queue.length === 0) this.lines.delete(line.key);
      throw err;
    }
  }

  private refill(line: Line, rows: PendingDelivery[]): void {
    line.rereading = false;
    line.stale = false;
    if (this.lines.get(line.key) !== line || line.busy || line.queue.length > 0) return;
    const head = rows[0];
    // A head not due yet is being retried: the walk brings it back when it is due.
    if (!head || head.nextAttemptAt > this.now()) {
      this.lines.delete(line.key);
      if (head) this.wakeAt(head.nextAttemptAt);
      return;
    }
    line.queue = rows;
    this.held += rows.length;
    this.makeReady(line);
  }

  /**
   * Runs a read and takes its rows, noting the heads settled from the query's start until its rows
   * are taken (see closedDuringRead).
   */
  private async readAndTake<T>(query: () => Promise<T>, takeAll: (rows: T) => void): Promise<T> {
    this.closedDuringRead.clear();
    this.blockedDuringRead.clear();
    this.readInFlight = true;
    try {
      const rows = await query();
      takeAll(rows);
      return rows;
    } finally {
      this.readInFlight = false;
    }
  }

  /** Takes a delivery read from the outbox into its line, if it is the line's head or comes right after the last one known. */
  private take(d: PendingDelivery): void {
    const key = lineKey(d.appKey, d.event.conferenceId);
    if (this.blockedDuringRead.has(key) || this.closedDuringRead.has(seqKey(key, d.event.statusSeqNum))) return;
    const prev = d.prevSeq !== null && this.closedDuringRead.has(seqKey(key, d.prevSeq)) ? null : d.prevSeq;
    const line = this.lines.get(key);
    if (!line) {
      const opened = this.open(key, d.appKey, d.event.conferenceId);
      // An earlier delivery of the line is pending but was not read with it: read the line whole.
      if (prev !== null) this.rereadLater(opened);
      else this.push(opened, d);
      return;
    }
    if (line.rereading || line.queue.some((q) => q.event.statusSeqNum === d.event.statusSeqNum)) return;
    const last = line.queue.at(-1);
    const follows = last ? prev === last.event.statusSeqNum : prev === null && !line.busy;
    if (follows && line.queue.length < LINE_DEPTH) this.push(line, d);
    else line.stale = true;
  }

  private open(key: string, appKey: string, conferenceId: string): Line {
    const line: Line = { key, appKey, conferenceId, queue: [], busy: false, ready: false, rereading: false, stale: false };
    this.lines.set(key, line);
    return line;
  }

  private push(line: Line, d: PendingDelivery): void {
    line.queue.push(d);
    this.held++;
    this.makeReady(line);
  }

  private rereadLater(line: Line): void {
    line.rereading = true;
    this.rereads.push(line);
    this.kick();
  }

  private makeReady(line: Line): void {
    if (line.ready || line.busy || line.queue.length === 0) return;
    line.ready = true;
    this.ready.push(line);
  }

  // ---- attempts ----

  /** Starts attempts at ready heads, up to `batch` at once. */
  private dispatch(): void {
    while (!this.stopped && this.attempts.size < this.batch && this.ready.length > 0) {
      const line = this.ready.shift()!;
      line.ready = false;
      const head = line.queue[0];
      if (!head || line.busy || this.lines.get(line.key) !== line) continue;
      if (head.nextAttemptAt > this.now()) {
        // Stored with a clock ahead of ours: the walk brings it back when it is due.
        this.drop(line);
        this.wakeAt(head.nextAttemptAt);
        continue;
      }
      line.busy = true;
      const attempt = this.attempt(line, head)
        .catch((err: unknown) => {
          this.logger.error({ err, eventId: head.event.eventId, appKey: head.appKey }, 'event delivery attempt failed');
          // Nothing was recorded: the line is read again from the outbox by the next sweep.
          this.drop(line);
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
    const attempt = d.attempts + 1;
    const outcome = await this.send(d, attempt);
    // An attempt cut short by shutdown is not counted: it is made again after the restart.
    if (!outcome) return;
    const delivered = outcome.error === null;
    const wait = this.retry[attempt - 1];
    const retryAt = delivered || wait === undefined || !d.url ? undefined : outcome.at + wait;
    const state = delivered ? 'delivered' : retryAt === undefined ? 'failed' : 'pending';
    this.outcomes.push({ line, delivery: d, record: { eventId: d.event.eventId, appKey: d.appKey, attempt, outcome, state, nextAttemptAt: retryAt ?? outcome.at } });
    this.scheduleFlush();
    if (!delivered) {
      const log = { eventId: d.event.eventId, appKey: d.appKey, attempt, statusCode: outcome.statusCode, error: outcome.error };
      if (retryAt === undefined) this.logger.warn(log, 'event delivery failed for good');
      else this.logger.info({ ...log, retryInMs: wait }, 'event delivery failed; will retry');
    }
  }

  /** One signed POST of the delivery; undefined when it failed because the worker is stopping. */
  private async send(d: PendingDelivery, attempt: number): Promise<AttemptOutcome | undefined> {
    if (!d.url || !d.secret) return { statusCode: null, error: 'the app has no eventCallback any more', at: this.now() };
    const body = eventBody({ ...d.event, data: JSON.parse(d.data) as Record<string, unknown> });
    const timestamp = String(this.now());
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await this.post(d.url, body, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        [EventHeaders.eventId]: d.event.eventId,
        [EventHeaders.eventType]: d.event.type,
        [EventHeaders.timestamp]: timestamp,
        [EventHeaders.signature]: signEvent(d.secret, timestamp, body),
        [EventHeaders.attempt]: String(attempt),
      });
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (err) {
      error = (err as Error).message || String(err);
    }
    if (this.stopped && error !== null) return undefined;
    return { statusCode, error, at: this.now() };
  }

  /**
   * POSTs with node:http on a keep-alive agent (a fraction of fetch's CPU per request); resolves
   * with the status once the answer's head is in. Redirects are not followed. The time limit and
   * stop() also cut the answer's body short, which is read and dropped.
   */
  private post(url: string, body: string, headers: OutgoingHttpHeaders): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let request: http.ClientRequest;
      try {
        const { secure, options } = this.targetOf(url);
        request = (secure ? https : http).request({ ...options, method: 'POST', headers, agent: secure ? this.agents.https : this.agents.http });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.requests.add(request);
      const release = (): void => {
        clearTimeout(timer);
        this.requests.delete(request);
      };
      request.on('response', (res) => {
        drain(res, release);
        resolve(res.statusCode ?? 0);
      });
      request.on('error', (err) => {
        release();
        reject(err);
      });
      request.end(body);
    });
  }

  /** Request options of a callback URL, parsed once (a handful of URLs take every delivery). */
  private targetOf(url: string): Target {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`unsupported callback URL scheme ${parsed.protocol}`);
      if (this.targets.size >= MAX_TARGETS) this.targets.clear();
      target = { secure: parsed.protocol === 'https:', options: urlToHttpOptions(parsed) };
      this.targets.set(url, target);
    }
    return target;
  }

  // ---- recording outcomes ----

  /** Records the outcomes that end within FLUSH_DELAY_MS together (one transaction). */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setTimeout(() => {
      this.flushScheduled = false;
      // One at a time: a flush under way schedules the next when it ends.
      if (!this.flushing && this.outcomes.length > 0) void this.flush();
    }, FLUSH_DELAY_MS);
  }

  private flush(): Promise<void> {
    const batch = this.outcomes;
    this.outcomes = [];
    this.flushing = this.store
      .recordAttempts(batch.map((f) => f.record))
      .then(
        () => batch.forEach((f) => this.settle(f)),
        (err: unknown) => {
          // Still pending in the outbox: the next sweep reads them again.
          this.logger.error({ err }, 'recording event delivery attempts failed');
          batch.forEach((f) => this.drop(f.line));
        },
      )
      .finally(() => {
        this.flushing = undefined;
        if (this.outcomes.length > 0) this.scheduleFlush();
        this.dispatch();
      });
    return this.flushing;
  }

  /** Moves a line on once its head's outcome is committed. */
  private settle({ line, delivery, record }: Finished): void {
    const retried = record.state === 'pending';
    if (this.readInFlight) {
      if (retried) this.blockedDuringRead.add(line.key);
      else this.closedDuringRead.add(seqKey(line.key, delivery.event.statusSeqNum));
    }
    if (this.lines.get(line.key) !== line) return;
    line.busy = false;
    line.queue.shift();
    this.held--;
    if (retried) {
      this.drop(line);
      this.wakeAt(record.nextAttemptAt);
    } else if (line.queue.length > 0) this.makeReady(line);
    else if (line.stale || delivery.nextSeq !== null) this.rereadLater(line);
    else this.lines.delete(line.key);
  }

  /** Lets go of a line; the outbox still has its deliveries. */
  private drop(line: Line): void {
    if (this.lines.get(line.key) !== line) return;
    this.lines.delete(line.key);
    this.held -= line.queue.length;
    line.queue = [];
    line.busy = false;
  }

  private forgetAll(): void {
    this.lines.clear();
    this.ready = [];
    this.rereads = [];
    this.held = 0;
    this.outcomes = [];
    this.cursor = WALK_START;
    this.morePages = false;
    this.dirty = false;
    this.sweepWanted = true;
    this.rescanOwed = false;
    this.kickAt = Number.POSITIVE_INFINITY;
  }
}

/** A timer's delay for something due in `ms`: timers may fire a little before the clock reads the time, and a read then would not see it due. */
function afterClock(ms: number): number {
  return Math.max(0, ms) + 2;
}

function newAgents(): { http: http.Agent; https: https.Agent } {
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
}

/** Reads and drops an answer's body, so its connection can serve the next delivery; calls `done` once it is over. */
function drain(res: IncomingMessage, done: () => void): void {
  let bytes = 0;
  res.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_ANSWER_BYTES) res.destroy();
  });
  res.on('error', () => {});
  res.on('close', done);
}
