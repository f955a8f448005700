import type { Meeting } from './meeting.js';
import type { MeetingSettingsStore } from './ports/index.js';

/** `waiting`: the meeting has a waiting room, so a newcomer knocks and a host or co-host lets them in. */
export type EntryRefusal = 'locked' | 'internalOnly' | 'waiting';

/**
 * Who may become a new member of a meeting under its settings (LockConference, onlyInternalEmployeesJoin).
 * People already inside, or coming back as the member they were, are never refused; neither are
 * holders of the host passcode, so someone can always run the meeting.
 */
export class EntryPolicy {
  constructor(private readonly settings: MeetingSettingsStore) {}

  /**
   * At admission (/api/admit): a browser that already has a member record is coming back. The
   * waiting room is the room's door's business (a ticket is issued; hello knocks), and so is a
   * locked meeting for someone who asked to knock.
   */
  async atAdmission(meeting: Meeting, role: 'host' | 'participant', deviceId: string, knock = false): Promise<Exclude<EntryRefusal, 'waiting'> | undefined> {
    if (role === 'host') return undefined;
    const refusal = await this.forNewcomer(meeting.conferenceId);
    if (!refusal || refusal === 'waiting' || (refusal === 'locked' && knock)) return undefined;
    return (await this.settings.deviceIsMember(meeting.conferenceId, deviceId)) ? undefined : refusal;
  }

  /** At the room's door (hello) for someone who would get a new member record. */
  async atEntry(conferenceId: string, role: 'host' | 'participant'): Promise<EntryRefusal | undefined> {
    return role === 'host' ? undefined : this.forNewcomer(conferenceId);
  }

  private async forNewcomer(conferenceId: string): Promise<EntryRefusal | undefined> {
    const settings = await this.settings.get(conferenceId);
    if (settings.locked) return 'locked';
    // People entering through a link or passcode are anonymous, so never known employees.
    if (settings.onlyInternalEmployeesJoin) return 'internalOnly';
    if (settings.waitingRoom) return 'waiting';
    return undefined;
  }
}
