import type { PresenceService } from './presence.js';

/** What the expiry needs from storage (SqlMeetingRepository). */
export interface CreatedMeetings {
  /** By id, i.e. in creation order: ad-hoc meetings nobody has entered are `unused`. */
  createdBetween(afterId: string, beforeId: string, limit: number): Promise<Array<{ conferenceId: string; unused: boolean }>>;
}

const BATCH = 500;

/**
 * Ends ad-hoc meetings nobody joined within `ttlMs` of their creation (docs/security.md): without
 * it, meetings an app creates and nobody uses would hold their room codes and rows forever. The end
 * is an ordinary end (status, end time, conference_closed event). Conference ids begin with their
 * creation time, so each pass reads only meetings created since the last one, along the primary key.
 */
export class MeetingExpiry {
  private cursor = '';
  private running: Promise<number> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly meetings: CreatedMeetings,
    private readonly presence: PresenceService,
    private readonly ttlMs: number,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** One pass (never two at once); resolves to the number of meetings ended. */
  sweep(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    if (this.ttlMs <= 0) return 0;
    // Ids of meetings created before the cut-off sort below this prefix (12 hex digits of ms).
    const before = Math.max(0, Math.floor(this.now() - this.ttlMs)).toString(16).padStart(12, '0');
    let ended = 0;
    for (;;) {
      const rows = await this.meetings.createdBetween(this.cursor, before, BATCH);
      for (const row of rows) if (row.unused && (await this.presence.end(row.conferenceId))) ended++;
      if (rows.length > 0) this.cursor = rows[rows.length - 1]!.conferenceId;
      if (rows.length < BATCH) return ended;
    }
  }
}
