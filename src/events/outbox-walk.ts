import { WALK_START, type PendingDelivery, type WalkKey } from '../store/event-repo.js';

/** Pending deliveries read from the outbox at once. */
export const PAGE = 256;
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

const keyOf = (d: PendingDelivery): WalkKey => ({ at: d.nextAttemptAt, eventId: d.event.eventId, appKey: d.appKey });
const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareKeys = (a: WalkKey, b: WalkKey): number => a.at - b.at || order(a.eventId, b.eventId) || order(a.appKey, b.appKey);
const laterKey = (a: WalkKey, b: WalkKey): WalkKey => (compareKeys(a, b) >= 0 ? a : b);
const earlierKey = (a: WalkKey, b: WalkKey): WalkKey => (compareKeys(a, b) <= 0 ? a : b);

/**
 * The walk over the outbox's pending deliveries in due-time order, a page at a time: where it
 * stands, where the next read starts (on from the last, a rescan, or a sweep from the start) and
 * when it is time for it.
 */
export class OutboxWalk {
  /** Where the walk stands, and whether the last read stopped at its page size. */
  private cursor: WalkKey = WALK_START;
  private morePages = false;
  /** Events were stored since the last read began. */
  private dirty = false;
  private sweepWanted = true;
  private rescanOwed = false;
  private lastRescanAt = Number.NEGATIVE_INFINITY;
  private caughtUpAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;

  /** Events were stored. */
  markDirty(): void {
    this.dirty = true;
  }

  /** The next read is to start from the outbox's start. */
  wantSweep(): void {
    this.sweepWanted = true;
  }

  /** A read failed: it is made again, not before `until`. */
  readFailed(until: number): void {
    this.dirty = true;
    this.pausedUntil = until;
  }

  /** How long until the next page is to be read: 0 now, undefined when there is nothing to read (or too much held). */
  waitMs(now: number, held: number): number | undefined {
    if (held >= READ_AHEAD || now < this.pausedUntil) return undefined;
    if (this.morePages) return 0;
    if (this.dirty || this.sweepWanted) return untilFrom(this.caughtUpAt + READ_GAP_MS, now);
    if (this.rescanOwed) return untilFrom(this.lastRescanAt + RESCAN_EVERY_MS, now);
    return undefined;
  }

  /** Where a read made now starts: on from the last, or further back for a rescan or a sweep. */
  start(now: number): WalkKey {
    const from = this.startKey(now);
    this.dirty = false;
    return from;
  }

  /** Moves on past a page read from `from` at `now`. */
  advance(rows: readonly PendingDelivery[], from: WalkKey, now: number): void {
    const last = rows.at(-1);
    this.morePages = rows.length === PAGE;
    if (last && this.morePages) this.cursor = keyOf(last);
    else {
      // Everything due by `now` was seen: lines held back are read again through their heads.
      this.cursor = laterKey(last ? keyOf(last) : from, { at: now, eventId: '', appKey: '' });
      this.caughtUpAt = now;
    }
  }

  /** Back to the start, a sweep wanted (the worker restarts). */
  reset(): void {
    this.cursor = WALK_START;
    this.morePages = false;
    this.dirty = false;
    this.sweepWanted = true;
    this.rescanOwed = false;
  }

  private startKey(now: number): WalkKey {
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
}

/** 0 once `at` has come, else the ms left. */
function untilFrom(at: number, now: number): number {
  return now >= at ? 0 : at - now;
}
