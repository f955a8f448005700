import { joinLink } from './meetings.js';
import { AttendStatus, MeetingStatus, type Meeting, type Member } from './meeting.js';
import type { EventOutbox, MeetingRepository } from './ports/index.js';

/** Conference events of spec §e.5, written to an outbox when the change happens (docs/events.md). */
export const EventType = {
  meeting: 'meeting_status_change',
  member: 'meeting_member_status_change',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export type MeetingScene = 'conference_created' | 'conference_closed' | MediaScene;
/** Recording and stream-out changes (vconf's own scenes of meeting_status_change; docs/events.md). */
export type MediaScene = 'cloud_record_started' | 'cloud_record_stopped' | 'cloud_record_ready' | 'cloud_record_failed' | 'stream_out_changed';
export type MemberScene = 'user_join' | 'user_leave' | 'user_invited' | 'user_kicked';

/** An event before the outbox gives it an id and its meeting's next statusSeqNum. */
export interface NewEvent {
  conferenceId: string;
  corpId: string;
  type: EventType;
  changeScene: MeetingScene | MemberScene;
  eventTime: number;
  /** `{ openConfModel }` or `{ openMemberModels }`. */
  data: Record<string, unknown>;
}

export interface StoredEvent extends NewEvent {
  eventId: string;
  statusSeqNum: number;
}

/** A stored event and how many app deliveries were queued for it (at least one: events nobody takes are not stored). */
export type AppendedEvent = StoredEvent & { deliveries: number };

/** openConfModel of §e.5; calendarEventId and bizScene have no counterpart in vconf and are left out. */
export function openConfModel(meeting: Meeting, members: readonly Member[], publicUrl: string): Record<string, unknown> {
  const startTime = meeting.startTime ?? meeting.createdAt;
  const ended = meeting.status === MeetingStatus.ended && meeting.endTime !== null;
  return {
    conferenceId: meeting.conferenceId,
    title: meeting.title,
    roomCode: meeting.roomCode,
    externalLinkUrl: joinLink(publicUrl, meeting),
    status: meeting.status,
    startTime,
    ...(ended ? { endTime: meeting.endTime, confDuration: Math.max(0, (meeting.endTime ?? startTime) - startTime) } : {}),
    invitedNum: members.filter((m) => m.invitedAt !== null).length,
    activeNum: members.filter((m) => m.attendStatus === AttendStatus.active).length,
    attendNum: members.filter((m) => m.joinTime !== null).length,
    creatorId: meeting.creatorUnionId,
    creatorNick: meeting.creatorNick,
    bizType: meeting.bizType,
    ...(meeting.scheduleConferenceId ? { scheduleConferenceId: meeting.scheduleConferenceId } : {}),
  };
}

/** One entry of openMemberModels (§e.5); userId is the unionId, empty for anonymous guests. */
export function openMemberModel(m: Member): Record<string, unknown> {
  return {
    userId: m.unionId ?? '',
    conferenceId: m.conferenceId,
    userNick: m.nick,
    ...(m.joinTime !== null ? { joinTime: m.joinTime } : {}),
    ...(m.leaveTime !== null && m.attendStatus !== AttendStatus.active ? { leaveTime: m.leaveTime } : {}),
    duration: m.duration,
    attendStatus: m.attendStatus,
    host: m.host,
    coHost: m.coHost,
    outerOrgMember: m.outerOrgMember,
    pstnJoin: m.pstnJoin,
    // Every vconf participant uses the web app.
    ...(m.deviceId !== null ? { deviceType: 'web' } : {}),
  };
}

/** Turns meeting and presence changes into outbox events; the domain services call it right after each change. */
export class EventRecorder {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly meetings: MeetingRepository,
    private readonly links: { base: string },
    /** Told after each append, so the delivery worker need not wait for its next poll. */
    private readonly appended: () => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** conference_created, then user_invited for the people CreateVideoConference rang. */
  async created(meeting: Meeting, members: readonly Member[]): Promise<void> {
    this.appendedNow(await this.outbox.appendAll(this.draftCreated(meeting, members)));
  }

  /** The events of a new meeting, for the caller to store in the transaction that creates it. */
  draftCreated(meeting: Meeting, members: readonly Member[]): NewEvent[] {
    const invited = members.filter((m) => m.attendStatus === AttendStatus.calling);
    return [
      this.draft(meeting, EventType.meeting, 'conference_created', { openConfModel: openConfModel(meeting, members, this.links.base) }),
      ...(invited.length > 0 ? [this.draft(meeting, EventType.member, 'user_invited', { openMemberModels: invited.map(openMemberModel) })] : []),
    ];
  }

  /** Tells the delivery worker about stored events that have somewhere to go. */
  appendedNow(stored: readonly AppendedEvent[]): void {
    // Nothing stored, nothing to wake: most organizations subscribe to no events.
    if (stored.length > 0) this.appended();
  }

  /** A member scene for these members of a meeting, read as they are now. */
  async members(conferenceId: string, scene: MemberScene, memberIds: readonly string[]): Promise<void> {
    if (memberIds.length === 0) return;
    const meeting = await this.meetings.find(conferenceId);
    if (!meeting) return;
    const wanted = new Set(memberIds);
    const members = (await this.meetings.members(conferenceId)).filter((m) => wanted.has(m.memberId));
    if (members.length > 0) await this.memberEvent(meeting, scene, members);
  }

  async closed(conferenceId: string): Promise<void> {
    const meeting = await this.meetings.find(conferenceId);
    if (!meeting) return;
    await this.meetingEvent('conference_closed', meeting, await this.meetings.members(conferenceId));
  }

  /** A recording or stream-out change: openConfModel plus the model of what changed (cloudRecordModel or streamOutModel). */
  async media(conferenceId: string, scene: MediaScene, extra: Record<string, unknown>): Promise<void> {
    const meeting = await this.meetings.find(conferenceId);
    if (!meeting) return;
    const members = await this.meetings.members(conferenceId);
    await this.record([this.draft(meeting, EventType.meeting, scene, { openConfModel: openConfModel(meeting, members, this.links.base), ...extra })]);
  }

  private async meetingEvent(scene: MeetingScene, meeting: Meeting, members: readonly Member[]): Promise<void> {
    await this.record([this.draft(meeting, EventType.meeting, scene, { openConfModel: openConfModel(meeting, members, this.links.base) })]);
  }

  private async memberEvent(meeting: Meeting, scene: MemberScene, members: readonly Member[]): Promise<void> {
    await this.record([this.draft(meeting, EventType.member, scene, { openMemberModels: members.map(openMemberModel) })]);
  }

  private draft(meeting: Meeting, type: EventType, changeScene: NewEvent['changeScene'], data: Record<string, unknown>): NewEvent {
    return { conferenceId: meeting.conferenceId, corpId: meeting.corpId, type, changeScene, eventTime: this.now(), data };
  }

  private async record(events: NewEvent[]): Promise<void> {
    this.appendedNow(await this.outbox.appendAll(events));
  }
}
