import type { AttemptRecord, PendingDelivery } from '../store/event-repo.js';

/** Deliveries of one line (app and meeting) held at once: a long line must not fill the read-ahead alone. */
export const LINE_DEPTH = 16;

/** An app's pending deliveries of one meeting: delivered one at a time, in statusSeqNum order. */
export interface Line {
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

/** An attempt that ended, waiting to be recorded. */
export interface Finished {
  line: Line;
  delivery: PendingDelivery;
  record: AttemptRecord;
}

export interface LineHooks {
  now(): number;
  /** A line's head is due at `at`: look at the outbox then. */
  wakeAt(at: number): void;
  /** A line waits in nextReread() to be read again. */
  rereadQueued(): void;
}

const lineKey = (appKey: string, conferenceId: string): string => `${appKey}\n${conferenceId}`;
const seqKey = (line: string, seq: number): string => `${line}\n${seq}`;
const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byLineThenSeq = (a: PendingDelivery, b: PendingDelivery): number =>
  order(a.appKey, b.appKey) || order(a.event.conferenceId, b.event.conferenceId) || a.event.statusSeqNum - b.event.statusSeqNum;

/**
 * The pending deliveries held in memory, in a queue per line, and which may go next: a line's head
 * only, and only once the outcome before it is committed. A head that is to be retried takes its
 * line out of memory: the outbox holds it back until it is due again.
 */
export class LineQueues {
  private readonly lines = new Map<string, Line>();
  /** Lines whose head can be attempted, oldest first. */
  private ready: Line[] = [];
  /** Lines to read again from the outbox, one query each. */
  private rereads: Line[] = [];
  private heldCount = 0;
  /**
   * While a read is under way, heads settled meanwhile: the read may still show them pending. A line
   * closed at seq n lets its delivery after n go next; a blocked line (retry) lets nothing go.
   */
  private readonly closedDuringRead = new Set<string>();
  private readonly blockedDuringRead = new Set<string>();
  private readInFlight = false;

  constructor(private readonly hooks: LineHooks) {}

  /** Deliveries held in line queues. */
  get held(): number {
    return this.heldCount;
  }

  /** Runs a read of the outbox and takes its rows, noting the heads settled from the query's start until its rows are taken. */
  async read<T>(query: () => Promise<T>, takeAll: (rows: T) => void): Promise<T> {
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

  /** Takes a page of due deliveries. */
  takePage(page: readonly PendingDelivery[]): void {
    // A meeting's events of one moment come in id order, not statusSeqNum order.
    for (const d of [...page].sort(byLineThenSeq)) this.take(d);
  }

  hasRereads(): boolean {
    return this.rereads.length > 0;
  }

  /** The next line to read again from its head, if any. */
  nextReread(): Line | undefined {
    return this.rereads.shift();
  }

  /** Takes a line's pending deliveries, read from its head. */
  refill(line: Line, rows: PendingDelivery[]): void {
    line.rereading = false;
    line.stale = false;
    if (this.lines.get(line.key) !== line || line.busy || line.queue.length > 0) return;
    const head = rows[0];
    // A head not due yet is being retried: the walk brings it back when it is due.
    if (!head || head.nextAttemptAt > this.hooks.now()) {
      this.lines.delete(line.key);
      if (head) this.hooks.wakeAt(head.nextAttemptAt);
      return;
    }
    line.queue = rows;
    this.heldCount += rows.length;
    this.makeReady(line);
  }

  /** Lets go of a line whose read failed, unless it holds deliveries: a later read opens it again. */
  forgetIfEmpty(line: Line): void {
    if (this.lines.get(line.key) === line && line.queue.length === 0) this.lines.delete(line.key);
  }

  /** The next head to attempt, its line marked busy; undefined when none is ready. */
  nextReady(): { line: Line; head: PendingDelivery } | undefined {
    for (let line = this.ready.shift(); line; line = this.ready.shift()) {
      line.ready = false;
      const head = line.queue[0];
      if (!head || line.busy || this.lines.get(line.key) !== line) continue;
      if (head.nextAttemptAt > this.hooks.now()) {
        // Stored with a clock ahead of ours: the walk brings it back when it is due.
        this.drop(line);
        this.hooks.wakeAt(head.nextAttemptAt);
        continue;
      }
      line.busy = true;
      return { line, head };
    }
    return undefined;
  }

  /** Moves a line on once its head's outcome is committed. */
  settle({ line, delivery, record }: Finished): void {
    const retried = record.state === 'pending';
    if (this.readInFlight) {
      if (retried) this.blockedDuringRead.add(line.key);
      else this.closedDuringRead.add(seqKey(line.key, delivery.event.statusSeqNum));
    }
    if (this.lines.get(line.key) !== line) return;
    line.busy = false;
    line.queue.shift();
    this.heldCount--;
    if (retried) {
      this.drop(line);
      this.hooks.wakeAt(record.nextAttemptAt);
    } else if (line.queue.length > 0) this.makeReady(line);
    else if (line.stale || delivery.nextSeq !== null) this.rereadLater(line);
    else this.lines.delete(line.key);
  }

  /** Lets go of a line; the outbox still has its deliveries. */
  drop(line: Line): void {
    if (this.lines.get(line.key) !== line) return;
    this.lines.delete(line.key);
    this.heldCount -= line.queue.length;
    line.queue = [];
    line.busy = false;
  }

  clear(): void {
    this.lines.clear();
    this.ready = [];
    this.rereads = [];
    this.heldCount = 0;
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
    this.heldCount++;
    this.makeReady(line);
  }

  private rereadLater(line: Line): void {
    line.rereading = true;
    this.rereads.push(line);
    this.hooks.rereadQueued();
  }

  private makeReady(line: Line): void {
    if (line.ready || line.busy || line.queue.length === 0) return;
    line.ready = true;
    this.ready.push(line);
  }
}
