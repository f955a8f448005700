import type { EntryPolicy } from './entry-policy.js';
import { AttendStatus, MeetingStatus, memberRecord, type Meeting, type Member } from './meeting.js';
import type { MeetingRepository } from './ports.js';
import { Rejection } from './rejection.js';
import { randomHex } from './secrets.js';
import type { TicketClaims } from './tickets.js';

export const NAME_MAX = 64;

/** A display name as people type it: trimmed, 1–64 code points. */
export function normalizeName(name: unknown): string {
  if (typeof name !== 'string') throw new Rejection('invalidParams', 'name must be a string');
  const trimmed = name.trim();
  const chars = Array.from(trimmed);
  if (chars.length === 0 || chars.length > NAME_MAX) throw new Rejection('invalidParams', `name must have 1 to ${NAME_MAX} characters`);
  return trimmed;
}

/**
 * Who is in a room, written to the member records the query API reads: joins and leaves with
 * times and durations, attendStatus, and the meeting's initialised → started → ended status.
 */
export class PresenceService {
  private readonly now: () => number;

  constructor(
    private readonly meetings: MeetingRepository,
    now?: () => number,
    /** The meeting's entry rules for newcomers (lock, internal only). */
    private readonly entry?: EntryPolicy,
  ) {
    this.now = now ?? Date.now;
  }

  /** Enters the room; `resumeMemberId` continues the same member after a reload from the same browser. */
  async enter(claims: TicketClaims, name: string, resumeMemberId?: string): Promise<{ meeting: Meeting; member: Member }> {
    const meeting = await this.meetings.find(claims.conferenceId);
    if (!meeting) throw new Rejection('notFound');
    if (meeting.status === MeetingStatus.ended) throw new Rejection('ended');
    if (await this.meetings.isDeviceBanned(meeting.conferenceId, claims.deviceId)) throw new Rejection('banned');
    const now = this.now();
    const nick = normalizeName(name);

    const previous = resumeMemberId ? await this.meetings.findMember(meeting.conferenceId, resumeMemberId) : undefined;
    let member: Member;
    if (previous && previous.deviceId === claims.deviceId) {
      const returning = previous.attendStatus !== AttendStatus.active;
      const patch = {
        nick,
        host: previous.host || claims.role === 'host',
        attendStatus: AttendStatus.active,
        ...(returning ? { visitStartedAt: now } : {}),
      };
      await this.meetings.updateMember(meeting.conferenceId, previous.memberId, patch);
      member = { ...previous, ...patch };
    } else {
      const refusal = await this.entry?.atEntry(meeting.conferenceId, claims.role);
      if (refusal) throw new Rejection(refusal);
      member = memberRecord({
        conferenceId: meeting.conferenceId,
        memberId: randomHex(8),
        nick,
        host: claims.role === 'host',
        attendStatus: AttendStatus.active,
        joinTime: now,
        // People who join through a link or passcode are not identified as directory users.
        outerOrgMember: true,
        deviceId: claims.deviceId,
        visitStartedAt: now,
      });
      await this.meetings.insertMember(member);
    }
    if (meeting.status === MeetingStatus.initialised) await this.meetings.markStarted(meeting.conferenceId, now);
    return { meeting, member };
  }

  async leave(conferenceId: string, memberId: string): Promise<void> {
    await this.closeVisit(conferenceId, memberId, AttendStatus.left, false);
  }

  /** Removes a member; their browser may not come back to this meeting. */
  async remove(conferenceId: string, memberId: string): Promise<void> {
    await this.closeVisit(conferenceId, memberId, AttendStatus.kicked, true);
  }

  /** KickMembers: removes a member, barring their browser only when `ban`. */
  async kick(conferenceId: string, memberId: string, ban: boolean): Promise<void> {
    await this.closeVisit(conferenceId, memberId, AttendStatus.kicked, ban);
  }

  /** Host and co-host flags of a member record (Cohosts, automatic host hand-over). */
  async setRoles(conferenceId: string, memberId: string, roles: { host?: boolean; coHost?: boolean }): Promise<void> {
    await this.meetings.updateMember(conferenceId, memberId, roles);
  }

  /** Ends the meeting for everyone; false when it had already ended. */
  async end(conferenceId: string): Promise<boolean> {
    return this.meetings.markEnded(conferenceId, this.now());
  }

  private async closeVisit(conferenceId: string, memberId: string, status: Member['attendStatus'], ban: boolean): Promise<void> {
    const member = await this.meetings.findMember(conferenceId, memberId);
    if (!member) return;
    const now = this.now();
    const visit = member.visitStartedAt === null ? 0 : Math.max(0, now - member.visitStartedAt);
    const inRoom = member.attendStatus === AttendStatus.active;
    await this.meetings.updateMember(conferenceId, memberId, {
      attendStatus: inRoom || ban ? status : member.attendStatus,
      ...(inRoom ? { leaveTime: now, duration: member.duration + visit, visitStartedAt: null } : {}),
      ...(ban ? { banned: true } : {}),
    });
  }
}
