import type { AttemptRecord } from '../store/event-repo.js';

/**
 * How long an ended attempt waits for others to be recorded with it. Each commit writes the index
 * and table pages it touched to the WAL, so a few more outcomes per commit save more than the wait
 * costs; a line's next delivery waits for this commit (order survives a crash).
 */
const FLUSH_DELAY_MS = 5;

export interface RecorderHooks<T> {
  /** The batch's records are committed. */
  committed(batch: T[]): void;
  /** The batch's write failed: none of its records is stored. */
  failed(batch: T[], err: unknown): void;
  /** A write ended, either way. */
  settled(): void;
}

/** Records the outcomes of attempts that end within FLUSH_DELAY_MS of each other in one write, one write at a time. */
export class OutcomeRecorder<T extends { record: AttemptRecord }> {
  private pending: T[] = [];
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;

  constructor(
    private readonly write: (records: AttemptRecord[]) => Promise<void>,
    private readonly hooks: RecorderHooks<T>,
  ) {}

  add(finished: T): void {
    this.pending.push(finished);
    this.scheduleFlush();
  }

  /** Writes everything added so far, waiting for a write under way first. */
  async drain(): Promise<void> {
    while (this.flushing || this.pending.length > 0) await (this.flushing ?? this.flush());
  }

  /** Forgets what was added and not yet written. */
  clear(): void {
    this.pending = [];
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setTimeout(() => {
      this.flushScheduled = false;
      // One at a time: a flush under way schedules the next when it ends.
      if (!this.flushing && this.pending.length > 0) void this.flush();
    }, FLUSH_DELAY_MS);
  }

  private flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.write(batch.map((f) => f.record))
      .then(
        () => this.hooks.committed(batch),
        (err: unknown) => this.hooks.failed(batch, err),
      )
      .finally(() => {
        this.flushing = undefined;
        if (this.pending.length > 0) this.scheduleFlush();
        this.hooks.settled();
      });
    return this.flushing;
  }
}
