import type { Logger } from 'pino';
import type { SqlEventStore } from '../store/event-repo.js';

export interface RetryWakeupsDeps {
  store: Pick<SqlEventStore, 'nextDueAfter'>;
  logger: Logger;
  /** Retries due this far off or later are left to the poll. */
  pollMs: number;
  now: () => number;
  stopped: () => boolean;
  /** Looks at the outbox. */
  wake: () => void;
}

/** Wakes the worker when a retry falls due, so that it goes out on time, not at the next poll. */
export class RetryWakeups {
  private dueTimer: NodeJS.Timeout | undefined;
  private watching: Promise<void> | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: RetryWakeupsDeps) {}

  /**
   * Wakes when the outbox's next retry falls due, then looks for the one after: retries of an earlier
   * run or another instance go out on time too.
   */
  watchNextDue(): void {
    const { store, pollMs, logger } = this.deps;
    const now = this.deps.now();
    this.watching = store.nextDueAfter(now).then(
      (next) => {
        if (this.deps.stopped() || next === undefined || next - now >= pollMs) return;
        clearTimeout(this.dueTimer);
        this.dueTimer = setTimeout(() => {
          this.deps.wake();
          this.watchNextDue();
        }, afterClock(next - this.deps.now()));
        this.dueTimer.unref();
      },
      (err: unknown) => logger.error({ err }, 'looking for the next event delivery due failed'),
    );
  }

  /** A look at the outbox once `at` has come (a retry of ours falls due); later ones are left to watchNextDue. */
  wakeAt(at: number): void {
    const wait = at - this.deps.now();
    if (this.deps.stopped() || wait >= this.deps.pollMs) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.deps.wake();
    }, afterClock(wait));
    timer.unref();
    this.timers.add(timer);
  }

  /** Clears the timers set so far. */
  cancel(): void {
    clearTimeout(this.dueTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** The look for the next retry due under way, if any. */
  lookup(): Promise<void> | undefined {
    return this.watching;
  }
}

/** A timer's delay for something due in `ms`: timers may fire a little before the clock reads the time, and a read then would not see it due. */
function afterClock(ms: number): number {
  return Math.max(0, ms) + 2;
}
