import { AttendStatus, BizType, MeetingStatus, memberRecord, newConferenceId, type Meeting, type Member } from './meeting.js';
import { Rejection } from './rejection.js';
import { randomHex } from './secrets.js';
import { mintMeetingCodes, ROOM_CODE_ATTEMPTS } from './meeting-codes.js';
import { normalizeTitle } from './title.js';
import type { DirectoryUser } from './directory.js';
import type { EventRecorder } from './events.js';
import { RoomCodeTaken, type DirectoryRepository, type MeetingRepository, type RateCounter } from './ports/index.js';

export interface CreateMeetingCommand {
  organizerUnionId: string;
  title: string;
  inviteUnionIds: readonly string[];
  inviteCaller: boolean;
  /** The app (or suite) creating it: its quotas of new meetings apply (docs/security.md). */
  appKey?: string;
}

export interface CreatedMeeting {
  conferenceId: string;
  conferencePassword: string;
  hostPassword: string;
  externalLinkUrl: string;
  phoneNumbers: string[];
  roomCode: string;
}

export interface MeetingServiceOptions {
  directory: DirectoryRepository;
  meetings: MeetingRepository;
  budget: RateCounter;
  /** Base of join links, without a trailing slash; read at each call (known once the server listens). */
  links: { base: string };
  phoneNumbers: readonly string[];
  /** Writes conference_created and user_invited to the event outbox. */
  events?: EventRecorder;
  now?: () => number;
}

const MINUTE_MS = 60_000;

/** The join path of a meeting: the same shape as DingTalk's links, `/app?roomCode=…&token=…`. */
export function joinLink(publicUrl: string, meeting: Pick<Meeting, 'roomCode' | 'joinToken'>): string {
  return `${publicUrl}${joinPath(meeting)}`;
}

/** The join link without its origin, as the signed-in pages and ringing use it. */
export function joinPath(meeting: Pick<Meeting, 'roomCode' | 'joinToken'>): string {
  return `/app?roomCode=${meeting.roomCode}&token=${meeting.joinToken}`;
}

const HOUR_MS = 3600_000;

/**
 * One new meeting from this app's quotas (the organization's limits, per app): per rolling hour and
 * per rolling day. Resolves to the keys taken, to give back if creating fails; rejects when spent.
 */
export async function takeCreateQuota(
  budget: RateCounter,
  corpId: string,
  appKey: string,
  limits: { createsPerAppPerHour: number; createsPerAppPerDay: number },
): Promise<string[]> {
  const hour = `creates:hour:${corpId}:${appKey}`;
  const day = `creates:day:${corpId}:${appKey}`;
  if (!(await budget.take(hour, 1, limits.createsPerAppPerHour, HOUR_MS))) {
    throw new Rejection('limitReached', `this app's quota of ${limits.createsPerAppPerHour} new meetings per hour is spent`);
  }
  if (!(await budget.take(day, 1, limits.createsPerAppPerDay, 24 * HOUR_MS))) {
    await budget.giveBack(hour, 1);
    throw new Rejection('limitReached', `this app's quota of ${limits.createsPerAppPerDay} new meetings per day is spent`);
  }
  return [hour, day];
}

export class MeetingService {
  private readonly now: () => number;

  constructor(private readonly opts: MeetingServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** CreateVideoConference: every rule of the seed page, checked before anything is written. */
  async create(corpId: string, cmd: CreateMeetingCommand): Promise<CreatedMeeting> {
    const title = normalizeTitle(cmd.title);
    const org = await this.opts.directory.findOrg(corpId);
    if (!org || org.disabled) throw new Rejection('orgForbidden');

    const inviteIds = [...new Set(cmd.inviteUnionIds)].filter((id) => id !== cmd.organizerUnionId);
    const people = await this.opts.directory.findUsers([cmd.organizerUnionId, ...inviteIds]);
    const organizer = this.resolve(people, cmd.organizerUnionId, corpId);
    const invitees = inviteIds.map((id) => this.resolve(people, id, corpId));
    // Unknown ids are reported before foreign ones: a typo is the likelier mistake.
    const unresolved = [organizer, ...invitees].find((r) => r === 'unknown') ?? [organizer, ...invitees].find((r) => r === 'foreign');
    if (unresolved === 'unknown') throw new Rejection('unknownUser');
    if (unresolved === 'foreign') throw new Rejection('orgForbidden');
    const host = organizer as DirectoryUser;
    const guests = invitees as DirectoryUser[];

    if (!host.canCreateMeetings) throw new Rejection('notAllowed', 'the organizer may not create meetings');
    const participants = 1 + guests.length;
    if (participants > org.limits.maxParticipantsPerMeeting) {
      throw new Rejection('limitReached', `${participants} participants exceed the limit of ${org.limits.maxParticipantsPerMeeting}`);
    }
    const quota = cmd.appKey === undefined ? [] : await takeCreateQuota(this.opts.budget, corpId, cmd.appKey, org.limits);
    const rung = guests.length + (cmd.inviteCaller ? 1 : 0);
    const budgetKey = `invites:${corpId}`;
    if (rung > 0 && !(await this.opts.budget.take(budgetKey, rung, org.limits.invitesPerMinute, MINUTE_MS))) {
      await Promise.all(quota.map((k) => this.opts.budget.giveBack(k, 1)));
      throw new Rejection('limitReached', `invitation budget of ${org.limits.invitesPerMinute} per minute is spent`);
    }

    try {
      const meeting = await this.persist(corpId, title, host, guests, cmd.inviteCaller);
      return {
        conferenceId: meeting.conferenceId,
        conferencePassword: meeting.conferencePassword,
        hostPassword: meeting.hostPassword,
        externalLinkUrl: joinLink(this.opts.links.base, meeting),
        phoneNumbers: [...this.opts.phoneNumbers],
        roomCode: meeting.roomCode,
      };
    } catch (err) {
      if (rung > 0) await this.opts.budget.giveBack(budgetKey, rung);
      await Promise.all(quota.map((k) => this.opts.budget.giveBack(k, 1)));
      throw err;
    }
  }

  /** A meeting as seen by an app of `corpId`: other organizations' meetings are not found. */
  async find(corpId: string, conferenceId: string): Promise<{ meeting: Meeting; members: Member[] }> {
    const meeting = await this.opts.meetings.find(conferenceId);
    if (!meeting) throw new Rejection('notFound');
    if (meeting.corpId !== corpId) throw new Rejection('orgForbidden');
    return { meeting, members: await this.opts.meetings.members(conferenceId) };
  }

  private resolve(people: DirectoryUser[], unionId: string, corpId: string): DirectoryUser | 'unknown' | 'foreign' {
    const mine = people.find((p) => p.unionId === unionId && p.corpId === corpId);
    if (mine) return mine;
    return people.some((p) => p.unionId === unionId) ? 'foreign' : 'unknown';
  }

  private async persist(corpId: string, title: string, host: DirectoryUser, guests: DirectoryUser[], inviteCaller: boolean): Promise<Meeting> {
    const now = this.now();
    for (let attempt = 1; ; attempt++) {
      const codes = mintMeetingCodes();
      const meeting: Meeting = {
        conferenceId: newConferenceId(now),
        corpId,
        title,
        status: MeetingStatus.initialised,
        bizType: BizType.instant,
        creatorUnionId: host.unionId,
        creatorNick: host.name,
        ...codes,
        inviteCaller,
        createdAt: now,
        startTime: null,
        endTime: null,
        scheduleConferenceId: null,
      };
      const members = [
        member(meeting, host, true, inviteCaller ? AttendStatus.calling : AttendStatus.initialised, now),
        ...guests.map((g) => member(meeting, g, false, AttendStatus.calling, now)),
      ];
      try {
        const events = this.opts.events?.draftCreated(meeting, members) ?? [];
        this.opts.events?.appendedNow(await this.opts.meetings.create(meeting, members, events));
        return meeting;
      } catch (err) {
        if (!(err instanceof RoomCodeTaken) || attempt >= ROOM_CODE_ATTEMPTS) throw err;
      }
    }
  }
}

function member(meeting: Meeting, user: DirectoryUser, host: boolean, attendStatus: Member['attendStatus'], now: number): Member {
  return memberRecord({
    conferenceId: meeting.conferenceId,
    memberId: randomHex(8),
    unionId: user.unionId,
    corpId: user.corpId,
    nick: user.name,
    host,
    attendStatus,
    invitedAt: attendStatus === AttendStatus.calling ? now : null,
  });
}
