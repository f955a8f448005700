import type { Selectable } from 'kysely';
import { MeetingStatus, type AttendStatus, type Meeting, type Member } from '../domain/meeting.js';
import type { MeetingMembersTable, MeetingsTable } from './schema.js';

/** Meetings and member records ↔ their rows. */

export const flag = (b: boolean): number => (b ? 1 : 0);

/** Domain field → column, for partial updates. */
export const memberColumns = {
  unionId: 'union_id',
  corpId: 'corp_id',
  nick: 'nick',
  host: 'host',
  coHost: 'co_host',
  attendStatus: 'attend_status',
  invitedAt: 'invited_at',
  joinTime: 'join_time',
  leaveTime: 'leave_time',
  duration: 'duration',
  outerOrgMember: 'outer_org_member',
  pstnJoin: 'pstn_join',
  deviceId: 'device_id',
  banned: 'banned',
  visitStartedAt: 'visit_started_at',
} as const satisfies Record<keyof Omit<Member, 'conferenceId' | 'memberId'>, keyof MeetingMembersTable>;
/** A stored ms timestamp (bigint column) as a number. */
const millis = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));

/** Ended meetings give their room code back; the unique (room_code, room_code_released) index then never counts them. */
function roomCodeReleased(m: Pick<Meeting, 'status' | 'conferenceId'>): string {
  return m.status === MeetingStatus.ended ? m.conferenceId : '';
}

export function meetingRow(m: Meeting): MeetingsTable {
  return {
    conference_id: m.conferenceId,
    corp_id: m.corpId,
    title: m.title,
    status: m.status,
    biz_type: m.bizType,
    creator_union_id: m.creatorUnionId,
    creator_nick: m.creatorNick,
    room_code: m.roomCode,
    room_code_released: roomCodeReleased(m),
    conference_password: m.conferencePassword,
    host_password: m.hostPassword,
    join_token: m.joinToken,
    invite_caller: flag(m.inviteCaller),
    created_at: m.createdAt,
    start_time: m.startTime,
    end_time: m.endTime,
    schedule_conference_id: m.scheduleConferenceId,
  };
}

export function memberRow(m: Member): MeetingMembersTable {
  return {
    conference_id: m.conferenceId,
    member_id: m.memberId,
    union_id: m.unionId,
    corp_id: m.corpId,
    nick: m.nick,
    host: flag(m.host),
    co_host: flag(m.coHost),
    attend_status: m.attendStatus,
    invited_at: m.invitedAt,
    join_time: m.joinTime,
    leave_time: m.leaveTime,
    duration: m.duration,
    outer_org_member: flag(m.outerOrgMember),
    pstn_join: flag(m.pstnJoin),
    device_id: m.deviceId,
    banned: flag(m.banned),
    visit_started_at: m.visitStartedAt,
  };
}

export function toMeeting(r: Selectable<MeetingsTable>): Meeting {
  return {
    conferenceId: r.conference_id,
    corpId: r.corp_id,
    title: r.title,
    status: r.status as MeetingStatus,
    bizType: r.biz_type,
    creatorUnionId: r.creator_union_id,
    creatorNick: r.creator_nick,
    roomCode: r.room_code,
    conferencePassword: r.conference_password,
    hostPassword: r.host_password,
    joinToken: r.join_token,
    inviteCaller: Boolean(r.invite_caller),
    createdAt: Number(r.created_at),
    startTime: millis(r.start_time),
    endTime: millis(r.end_time),
    scheduleConferenceId: r.schedule_conference_id,
  };
}

export function toMember(r: Selectable<MeetingMembersTable>): Member {
  return {
    conferenceId: r.conference_id,
    memberId: r.member_id,
    unionId: r.union_id,
    corpId: r.corp_id,
    nick: r.nick,
    host: Boolean(r.host),
    coHost: Boolean(r.co_host),
    attendStatus: r.attend_status as AttendStatus,
    invitedAt: millis(r.invited_at),
    joinTime: millis(r.join_time),
    leaveTime: millis(r.leave_time),
    duration: Number(r.duration),
    outerOrgMember: Boolean(r.outer_org_member),
    pstnJoin: Boolean(r.pstn_join),
    deviceId: r.device_id,
    banned: Boolean(r.banned),
    visitStartedAt: millis(r.visit_started_at),
  };
}
