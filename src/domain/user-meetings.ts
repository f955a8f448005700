import type { AttendStatus, Meeting, MeetingStatus } from './meeting.js';
import type { RingTarget, UserMeetingsStore } from './ports/index.js';
import { joinPath } from './meetings.js';

export type RingSource = Pick<Meeting, 'conferenceId' | 'title' | 'roomCode' | 'joinToken' | 'creatorNick'>;

/** A meeting not yet ended in which the signed-in user is organizer or member (/api/me). */
export interface OngoingMeeting {
  conferenceId: string;
  title: string;
  status: MeetingStatus;
  roomCode: string;
  /** Path of the meeting's join link; the page prefixes its own origin. */
  joinPath: string;
  organizer: string;
  isOrganizer: boolean;
  /** The user's member record's attendStatus; null when they organize it without one. */
  attendStatus: AttendStatus | null;
  createdAt: number;
}

export interface BookedMeeting {
  scheduleConferenceId: string;
  title: string;
  startTime: number;
  endTime: number;
  roomCode: string;
  joinPath: string;
  organizer: string;
}

export interface CallingMember {
  unionId: string;
  corpId: string;
}

/** What an open vconf page receives when its user is invited. */
export interface RingMessage {
  type: 'ring';
  conferenceId: string;
  title: string;
  inviter: string;
  joinPath: string;
}

/** The call was answered elsewhere (declined on another page): stop ringing. */
export interface RingEndMessage {
  type: 'ringEnd';
  conferenceId: string;
}

export type UserPageMessage = RingMessage | RingEndMessage;

/**
 * Rings the invited members of a meeting who are still being called: after CreateVideoConference
 * (inviteUserIds, inviteCaller) and InviteUsers. Users without an open page are simply not rung.
 */
export class Ringer {
  constructor(
    private readonly store: UserMeetingsStore,
    private readonly target: RingTarget,
  ) {}

  /** Rings the calling members (only `unionIds` when given); `inviter` defaults to the organizer. */
  async ring(conferenceId: string, inviter?: string, unionIds?: readonly string[]): Promise<number> {
    // Nobody listening, nobody to ring: spares two reads on every create and invite.
    if (this.target.listeners === 0) return 0;
    const meeting = await this.store.meeting(conferenceId);
    if (!meeting) return 0;
    const callees = await this.store.calling(meeting.conferenceId, unionIds);
    const message: RingMessage = {
      type: 'ring',
      conferenceId: meeting.conferenceId,
      title: meeting.title,
      inviter: inviter ?? meeting.creatorNick,
      joinPath: joinPath(meeting),
    };
    let pages = 0;
    for (const c of callees) pages += this.target.push(c.corpId, c.unionId, message);
    return pages;
  }
}
