/** The meeting and member records, with the spec's numeric enumerations (spec §e.1). */
import { timeOrderedId } from './secrets.js';

export const MeetingStatus = { initialised: 0, ended: 1, started: 2 } as const;
export type MeetingStatus = (typeof MeetingStatus)[keyof typeof MeetingStatus];

export const AttendStatus = { initialised: 1, calling: 2, active: 3, failed: 4, kicked: 5, left: 6 } as const;
export type AttendStatus = (typeof AttendStatus)[keyof typeof AttendStatus];

/** `bizType` values: "0" instant meeting, "3" booked meeting. */
export const BizType = { instant: '0', booked: '3' } as const;

export interface Meeting {
  conferenceId: string;
  corpId: string;
  title: string;
  status: MeetingStatus;
  bizType: string;
  creatorUnionId: string;
  creatorNick: string;
  roomCode: string;
  conferencePassword: string;
  hostPassword: string;
  joinToken: string;
  inviteCaller: boolean;
  createdAt: number;
  startTime: number | null;
  endTime: number | null;
  scheduleConferenceId: string | null;
}

export interface Member {
  conferenceId: string;
  memberId: string;
  /** Null for anonymous guests. */
  unionId: string | null;
  corpId: string | null;
  nick: string;
  host: boolean;
  coHost: boolean;
  attendStatus: AttendStatus;
  invitedAt: number | null;
  joinTime: number | null;
  leaveTime: number | null;
  /** Milliseconds spent in the meeting over all visits. */
  duration: number;
  outerOrgMember: boolean;
  pstnJoin: boolean;
  /** The browser (vconf_device cookie) this member joined from; null until they join. */
  deviceId: string | null;
  /** Removed by the host and not allowed back. */
  banned: boolean;
  /** Start of the current visit while attending; null when not in the room. */
  visitStartedAt: number | null;
}

/** A member record to which nothing has happened yet; callers give what they know. */
export function memberRecord(fields: Pick<Member, 'conferenceId' | 'memberId' | 'nick'> & Partial<Member>): Member {
  return {
    unionId: null,
    corpId: null,
    host: false,
    coHost: false,
    attendStatus: AttendStatus.initialised,
    invitedAt: null,
    joinTime: null,
    leaveTime: null,
    duration: 0,
    outerOrgMember: false,
    pstnJoin: false,
    deviceId: null,
    banned: false,
    visitStartedAt: null,
    ...fields,
  };
}

/** A new conferenceId: creation time first (so new meetings append to their indexes), then 96 random bits. */
export function newConferenceId(now: number): string {
  return timeOrderedId(now, 12);
}
