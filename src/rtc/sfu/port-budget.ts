import { SfuCapacityError } from './types.js';

/** UDP ports one participant holds: its upstream and its downstream connection (max-bundle, one each). */
export const PORTS_PER_PARTICIPANT = 2;
/** The part of the port range one meeting may hold, so others always find ports (docs/security.md). */
export const MEETING_PORT_SHARE = 0.75;

/**
 * Accounts for the SFU's UDP port range: a participant reserves its ports when it enters a room
 * and returns them when it leaves. One meeting may hold at most MEETING_PORT_SHARE of the range;
 * when a reservation cannot be made the participant is refused with a clear answer, instead of a
 * publish-answer without any candidate.
 */
export class PortBudget {
  private held = 0;
  private readonly byRoom = new Map<string, number>();
  readonly total: number;
  readonly perMeeting: number;

  constructor(range: [number, number]) {
    this.total = range[1] - range[0] + 1;
    const share = Math.floor(this.total * MEETING_PORT_SHARE);
    this.perMeeting = Math.max(PORTS_PER_PARTICIPANT, share - (share % PORTS_PER_PARTICIPANT));
  }

  /** Whether a newcomer to `conferenceId` would get ports now (for refusing before anything is written). */
  check(conferenceId: string): 'meetingShare' | 'serverFull' | undefined {
    if ((this.byRoom.get(conferenceId) ?? 0) + PORTS_PER_PARTICIPANT > this.perMeeting) return 'meetingShare';
    if (this.held + PORTS_PER_PARTICIPANT > this.total) return 'serverFull';
    return undefined;
  }

  reserve(conferenceId: string): void {
    const refusal = this.check(conferenceId);
    if (refusal === 'meetingShare') throw new SfuCapacityError(`meeting ${conferenceId} holds its share of ${this.perMeeting} media ports`);
    if (refusal === 'serverFull') throw new SfuCapacityError(`all ${this.total} media ports are in use`);
    this.held += PORTS_PER_PARTICIPANT;
    this.byRoom.set(conferenceId, (this.byRoom.get(conferenceId) ?? 0) + PORTS_PER_PARTICIPANT);
  }

  release(conferenceId: string): void {
    const mine = this.byRoom.get(conferenceId) ?? 0;
    if (mine <= 0) return;
    this.held -= PORTS_PER_PARTICIPANT;
    if (mine <= PORTS_PER_PARTICIPANT) this.byRoom.delete(conferenceId);
    else this.byRoom.set(conferenceId, mine - PORTS_PER_PARTICIPANT);
  }

  get inUse(): number {
    return this.held;
  }
}
