import type { ControlService } from './conference-controls.js';
import { MeetingStatus, type Member } from './meeting.js';
import { Rejection } from './rejection.js';
import type { MeetingRepository } from './ports/index.js';

/** A host tool used from inside the room (docs/room-protocol.md). */
export type RoomAction =
  | { kind: 'muteAll'; allowUnmuteSelf: boolean }
  | { kind: 'unmuteAll' }
  | { kind: 'lock'; locked: boolean }
  | { kind: 'waitingRoom'; on: boolean }
  | { kind: 'cohost'; memberId: string; on: boolean }
  | { kind: 'spotlight'; memberId: string | null };

/**
 * The host's tools in the room. The room names who acts (their member id); this decides from the
 * member records whether they may, then runs the very operations the Open API runs
 * (ControlService), so the API and the room read and change one state. Hosts may do everything
 * here; co-hosts everything but giving or taking the co-host role.
 */
export class RoomModeration {
  constructor(
    private readonly meetings: MeetingRepository,
    private readonly controls: ControlService,
  ) {}

  async act(conferenceId: string, actorId: string, action: RoomAction): Promise<void> {
    const meeting = await this.meetings.find(conferenceId);
    if (!meeting) throw new Rejection('notFound');
    if (meeting.status === MeetingStatus.ended) throw new Rejection('ended');
    const members = await this.meetings.members(conferenceId);
    const actor = members.find((m) => m.memberId === actorId);
    if (!actor || !(actor.host || actor.coHost)) throw new Rejection('notAllowed', 'only a host or co-host may do that');
    switch (action.kind) {
      case 'muteAll':
        return this.controls.setMuteAll(conferenceId, true, !action.allowUnmuteSelf);
      case 'unmuteAll':
        return this.controls.setMuteAll(conferenceId, false, false);
      case 'lock':
        await this.controls.setSettings(conferenceId, { locked: action.locked });
        return;
      case 'waitingRoom':
        await this.controls.setSettings(conferenceId, { waitingRoom: action.on });
        return;
      case 'cohost': {
        if (!actor.host) throw new Rejection('notAllowed', 'only a host may choose co-hosts');
        const target = memberOf(members, action.memberId);
        if (target.host) return;
        return this.controls.setCohost(conferenceId, target, action.on);
      }
      case 'spotlight': {
        // Focus names members as the API does: a directory user by unionId, a guest by participantId.
        const key = action.memberId === null ? null : focusKey(memberOf(members, action.memberId));
        await this.controls.setSettings(conferenceId, { focus: key });
        return;
      }
    }
  }
}

function memberOf(members: readonly Member[], memberId: string): Member {
  const found = members.find((m) => m.memberId === memberId);
  if (!found) throw new Rejection('unknownUser', `no member ${memberId}`);
  return found;
}

function focusKey(member: Member): string {
  return member.unionId ?? member.memberId;
}
