import type { EntryPolicy } from './entry-policy.js';
import type { EventRecorder } from './events.js';
import { AttendStatus, MeetingStatus, memberRecord, type Meeting, type Member } from './meeting.js';
import { Rejection } from './rejection.js';
import { randomHex } from './secrets.js';
import { NETWORK_BAR_MS } from './removal.js';
import type { TicketClaims, TicketUser } from './tickets.js';
import type { MeetingRepository } from './ports/index.js';

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
    /** Writes user_join, user_leave, user_kicked and conference_closed to the event outbox. */
    private readonly events?: EventRecorder,
  ) {
    this.now = now ?? Date.now;
  }

  /**
   * Enters the room; `resumeMemberId` continues the same member after a reload from the same browser.
   * `opts.admitted`: a host or co-host let this newcomer in from the waiting room, past the entry rules.
   * `opts.pstn`: a caller on the telephone (src/sip), recorded as pstnJoin.
   */
  async enter(claims: TicketClaims, name: string, resumeMemberId?: string, opts: { admitted?: boolean; pstn?: boolean } = {}): Promise<{ meeting: Meeting; member: Member }> {
    const meeting = await this.meetings.find(claims.conferenceId);
    if (!meeting) throw new Rejection('notFound');
    if (meeting.status === MeetingStatus.ended) throw new Rejection('ended');
    if (await this.meetings.isDeviceBanned(meeting.conferenceId, claims.deviceId)) throw new Rejection('banned');
    const now = this.now();
    const nick = normalizeName(name);

    const previous = resumeMemberId ? await this.meetings.findMember(meeting.conferenceId, resumeMemberId) : undefined;
    let member: Member;
    let joined = true;
    const resuming = previous !== undefined && previous.deviceId === claims.deviceId;
    // A signed-in user takes over their own record (the invitation's, or an earlier visit's).
    const own = !resuming && claims.user ? await this.ownRecord(meeting.conferenceId, claims.user, claims.deviceId) : undefined;
    if (own?.banned) throw new Rejection('banned');
    if (previous && resuming) {
      joined = previous.attendStatus !== AttendStatus.active;
      member = await this.reactivate(previous, { nick, host: previous.host || claims.role === 'host' }, now);
    } else if (own) {
      // Someone who was inside before is never refused; an invitee who never joined is a newcomer.
      if (own.joinTime === null && !opts.admitted) await this.checkEntry(meeting, claims);
      joined = own.attendStatus !== AttendStatus.active;
      const extra = { nick, host: own.host || claims.role === 'host', deviceId: claims.deviceId, joinTime: own.joinTime ?? now };
      member = await this.reactivate(own, extra, now);
    } else if (claims.user) {
      if (!opts.admitted) await this.checkEntry(meeting, claims);
      member = memberRecord({
        conferenceId: meeting.conferenceId,
        memberId: randomHex(8),
        unionId: claims.user.unionId,
        corpId: claims.user.corpId,
        nick,
        host: claims.role === 'host',
        attendStatus: AttendStatus.active,
        joinTime: now,
        outerOrgMember: claims.user.corpId !== meeting.corpId,
        deviceId: claims.deviceId,
        visitStartedAt: now,
      });
      await this.meetings.insertMember(member);
    } else {
      const refusal = opts.admitted ? undefined : await this.entry?.atEntry(meeting.conferenceId, claims.role);
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
        pstnJoin: opts.pstn === true,
        deviceId: claims.deviceId,
        visitStartedAt: now,
      });
      await this.meetings.insertMember(member);
    }
    if (meeting.status === MeetingStatus.initialised) await this.meetings.markStarted(meeting.conferenceId, now);
    // A reload of a page still counted in the room is no new join.
    if (joined) await this.events?.members(meeting.conferenceId, 'user_join', [member.memberId]);
    return { meeting, member };
  }

  /** The user's member record to continue: not one in the room from another browser (that page keeps it). */
  private async ownRecord(conferenceId: string, user: TicketUser, deviceId: string): Promise<Member | undefined> {
    const records = (await this.meetings.members(conferenceId)).filter((m) => m.unionId === user.unionId && m.corpId === user.corpId);
    return records.find((m) => m.attendStatus !== AttendStatus.active || m.deviceId === deviceId);
  }

  /** Entry rules for a signed-in newcomer: members of the meeting's organization pass "internal only". */
  private async checkEntry(meeting: Meeting, claims: TicketClaims): Promise<void> {
    const refusal = await this.entry?.atEntry(meeting.conferenceId, claims.role);
    if (refusal && !(refusal === 'internalOnly' && claims.user?.corpId === meeting.corpId)) throw new Rejection(refusal);
  }

  /** Puts an existing record back in the room; a new visit starts unless it was still active. */
  private async reactivate(record: Member, changes: Partial<Member>, now: number): Promise<Member> {
    const returning = record.attendStatus !== AttendStatus.active;
    const patch = { ...changes, attendStatus: AttendStatus.active, ...(returning ? { visitStartedAt: now } : {}) };
    await this.meetings.updateMember(record.conferenceId, record.memberId, patch);
    return { ...record, ...patch };
  }

  /** `at`: when they were last seen, for a page that vanished and did not come back in time. */
  async leave(conferenceId: string, memberId: string, at?: number): Promise<void> {
    await this.closeVisit(conferenceId, memberId, AttendStatus.left, false, at);
  }

  /** Removes a member; their browser may not come back to this meeting. */
  async remove(conferenceId: string, memberId: string): Promise<void> {
    await this.closeVisit(conferenceId, memberId, AttendStatus.kicked, true);
  }

  /** A removed guest's network: newcomers from it with browsers first seen after now are refused for a while. */
  async barNetwork(conferenceId: string, network: string): Promise<void> {
    await this.meetings.barNetwork(conferenceId, network, this.now() + NETWORK_BAR_MS);
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
    const inRoom = this.events ? (await this.meetings.members(conferenceId)).filter((m) => m.attendStatus === AttendStatus.active) : [];
    const ended = await this.meetings.markEnded(conferenceId, this.now());
    if (ended && this.events) {
      // Everyone still inside leaves with the meeting, before it is reported closed.
      await this.events.members(conferenceId, 'user_leave', inRoom.map((m) => m.memberId));
      await this.events.closed(conferenceId);
    }
    return ended;
  }

  /**
   * The room's previous host stopped without recording who left (a crash, a lost instance):
   * everyone it had inside left when it was last known alive. Those who come back start a new
   * visit, so the records show the gap instead of an unbroken stay.
   */
  async interrupted(conferenceId: string, at: number): Promise<number> {
    const inRoom = (await this.meetings.members(conferenceId)).filter((m) => m.attendStatus === AttendStatus.active);
    for (const m of inRoom) await this.closeVisit(conferenceId, m.memberId, AttendStatus.left, false, Math.min(at, this.now()));
    return inRoom.length;
  }

  private async closeVisit(conferenceId: string, memberId: string, status: Member['attendStatus'], ban: boolean, at?: number): Promise<void> {
    const member = await this.meetings.findMember(conferenceId, memberId);
    if (!member) return;
    const now = Math.max(at ?? this.now(), member.visitStartedAt ?? 0);
    const visit = member.visitStartedAt === null ? 0 : Math.max(0, now - member.visitStartedAt);
    const inRoom = member.attendStatus === AttendStatus.active;
    await this.meetings.updateMember(conferenceId, memberId, {
      attendStatus: inRoom || ban ? status : member.attendStatus,
      ...(inRoom ? { leaveTime: now, duration: member.duration + visit, visitStartedAt: null } : {}),
      ...(ban ? { banned: true } : {}),
    });
    if (inRoom || (ban && member.attendStatus !== status)) {
      await this.events?.members(conferenceId, status === AttendStatus.kicked ? 'user_kicked' : 'user_leave', [memberId]);
    }
  }
}
