import type { DirectoryUser } from './directory.js';
import { takeCreateQuota } from './meetings.js';
import type { EventRecorder } from './events.js';
import { BizType, MeetingStatus, memberRecord, newConferenceId, type Meeting, type Member } from './meeting.js';
import type { MeetingSettings } from './meeting-settings.js';
import { joinLink } from './meetings.js';
import { Rejection } from './rejection.js';
import { mintMeetingCodes, ROOM_CODE_ATTEMPTS } from './meeting-codes.js';
import { randomHex, secretsEqual } from './secrets.js';
import { normalizeTitle } from './title.js';
import { RoomCodeTaken, type BookingRepository, type DirectoryRepository, type MeetingRepository, type MeetingSettingsStore, type RateCounter } from './ports/index.js';

/**
 * Booked meetings (spec §d "Scheduled meetings", §e.3, §e.4): a booking holds a room code and a
 * join link from the moment it is made; joining it within its window starts a meeting instance
 * (bizType "3") governed by the booking's settings. Choices are in docs/scheduled-meetings.md.
 */

/** scheduleConfSettingModel as the SDK sends it; unknown keys are kept and ignored. */
export interface ScheduleSettingsModel {
  hostUnionId?: string;
  cohostUnionIds?: string[];
  confAllowedCorpId?: string;
  lockRoom?: number;
  muteOnJoin?: number;
  screenShareForbidden?: number;
  moziConfVirtualExtraSetting?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Booking {
  scheduleConferenceId: string;
  corpId: string;
  creatorUnionId: string;
  creatorNick: string;
  title: string;
  startTime: number;
  endTime: number;
  roomCode: string;
  joinToken: string;
  conferencePassword: string;
  hostPassword: string;
  cancelled: boolean;
  settings: ScheduleSettingsModel | null;
  createdAt: number;
}

/** Thrown by BookingRepository.create when a live booking holds the room code. */
export class BookingCodeTaken extends Error {
  constructor() {
    super('room code taken');
    this.name = 'BookingCodeTaken';
  }
}

export interface ScheduleServiceOptions {
  directory: DirectoryRepository;
  /** Where the apps' quotas of new meetings are counted; none = no quotas. */
  budget?: RateCounter;
  bookings: BookingRepository;
  meetings: MeetingRepository;
  settings: MeetingSettingsStore;
  links: { base: string };
  phoneNumbers: readonly string[];
  events?: EventRecorder;
  now?: () => number;
}

/** How long before its start a booking may be joined; it may be joined until its end. */
export const EARLY_JOIN_MS = 15 * 60_000;

export interface BookingView {
  scheduleConferenceId: string;
  title: string;
  startTime: number;
  endTime: number;
  roomCode: string;
  url: string;
  phones: string[];
}

export interface BookingInput {
  creatorUnionId: string;
  title: string;
  startTime: number;
  endTime: number;
}

/** Why a join link of a booking does not open a meeting now. */
export type BookingRefusal = 'cancelled' | 'notOpenYet' | 'meetingEnded';

export class ScheduleService {
  private readonly now: () => number;

  constructor(private readonly opts: ScheduleServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** CreateScheduleConference. */
  async create(corpId: string, input: BookingInput, settings: ScheduleSettingsModel | undefined, appKey?: string): Promise<BookingView> {
    const title = normalizeTitle(input.title);
    checkTimes(input.startTime, input.endTime);
    const org = await this.opts.directory.findOrg(corpId);
    if (!org || org.disabled) throw new Rejection('orgForbidden');
    const creator = await this.orgUser(corpId, input.creatorUnionId);
    if (!creator) throw new Rejection('invalidParams', `creatorUnionId ${input.creatorUnionId} is not a user of this organization`);
    if (!creator.canCreateMeetings) throw new Rejection('notAllowed', 'the creator may not create meetings');
    if (settings) await this.checkSettings(corpId, settings);
    // The app's quotas of new meetings (docs/security.md) count bookings too.
    if (appKey !== undefined && this.opts.budget) await takeCreateQuota(this.opts.budget, corpId, appKey, org.limits);

    for (let attempt = 1; ; attempt++) {
      const booking: Booking = {
        scheduleConferenceId: randomUuid(),
        corpId,
        creatorUnionId: creator.unionId,
        creatorNick: creator.name,
        title,
        startTime: input.startTime,
        endTime: input.endTime,
        ...mintMeetingCodes(),
        cancelled: false,
        settings: settings ?? null,
        createdAt: this.now(),
      };
      // A code held by a meeting in progress is not handed out again (bookings are checked by the store's index).
      const held = (await this.opts.meetings.findByRoomCode(booking.roomCode)).some((m) => m.status !== MeetingStatus.ended);
      try {
        if (!held) {
          await this.opts.bookings.create(booking);
          return this.view(booking);
        }
      } catch (err) {
        if (!(err instanceof BookingCodeTaken)) throw err;
      }
      if (attempt >= ROOM_CODE_ATTEMPTS) throw new Error('no free room code after several attempts');
    }
  }

  /** UpdateScheduleConference: only the creator changes title and times of a live booking. */
  async update(corpId: string, id: string, input: BookingInput): Promise<void> {
    const title = normalizeTitle(input.title);
    checkTimes(input.startTime, input.endTime);
    const booking = await this.forCreator(corpId, id, input.creatorUnionId);
    if (booking.cancelled) throw new Rejection('cancelled');
    await this.opts.bookings.update(booking.scheduleConferenceId, { title, startTime: input.startTime, endTime: input.endTime });
  }

  /** CancelScheduleConference: only the creator; cancelling again changes nothing. */
  async cancel(corpId: string, id: string, creatorUnionId: string): Promise<void> {
    const booking = await this.forCreator(corpId, id, creatorUnionId);
    if (!booking.cancelled) await this.opts.bookings.update(booking.scheduleConferenceId, { cancelled: true });
  }

  /** QueryScheduleConference: any user of the booking's organization may read it. */
  async read(corpId: string, id: string, requestUnionId: string): Promise<BookingView> {
    const booking = await this.inOrg(corpId, id);
    await this.requireMember(corpId, requestUnionId);
    if (booking.cancelled) throw new Rejection('cancelled');
    return this.view(booking);
  }

  /** QueryScheduleConferenceInfo: the meetings held under a booking, newest first. */
  async instances(corpId: string, id: string): Promise<Meeting[]> {
    const booking = await this.inOrg(corpId, id);
    const held = await this.opts.meetings.findByRoomCode(booking.roomCode);
    return held.filter((m) => m.scheduleConferenceId === booking.scheduleConferenceId);
  }

  /** QueryScheduleConfSettings. */
  async settingsOf(corpId: string, id: string): Promise<Booking> {
    return this.inOrg(corpId, id);
  }

  /** UpdateScheduleConfSettings: the creator replaces the settings; later instances use them. */
  async replaceSettings(corpId: string, id: string, creatorUnionId: string, settings: ScheduleSettingsModel): Promise<void> {
    const booking = await this.forCreator(corpId, id, creatorUnionId);
    if (booking.cancelled) throw new Rejection('cancelled');
    await this.checkSettings(corpId, settings);
    await this.opts.bookings.update(booking.scheduleConferenceId, { settings });
  }

  /**
   * A join link of a booking (admission): the meeting instance to admit into, starting one when
   * none is in progress; a refusal; or undefined when the link is no booking's.
   */
  async open(roomCode: string, token: string): Promise<Meeting | BookingRefusal | undefined> {
    const linked = (await this.opts.bookings.findByRoomCode(roomCode)).filter((b) => secretsEqual(token, b.joinToken));
    const booking = linked.find((b) => !b.cancelled);
    // A cancelled booking's link says so rather than "invalid".
    if (!booking) return linked.length > 0 ? 'cancelled' : undefined;
    const running = await this.liveInstance(booking);
    if (running) return running;
    const now = this.now();
    if (now < booking.startTime - EARLY_JOIN_MS) return 'notOpenYet';
    if (now >= booking.endTime) return 'meetingEnded';
    return this.startInstance(booking);
  }

  private async liveInstance(booking: Booking): Promise<Meeting | undefined> {
    const held = await this.opts.meetings.findByRoomCode(booking.roomCode);
    return held.find((m) => m.scheduleConferenceId === booking.scheduleConferenceId && m.status !== MeetingStatus.ended);
  }

  private async startInstance(booking: Booking): Promise<Meeting> {
    const s = booking.settings ?? {};
    const hostId = s.hostUnionId || booking.creatorUnionId;
    const cohostIds = (s.cohostUnionIds ?? []).filter((id) => id !== hostId);
    const people = await this.opts.directory.findUsers([hostId, ...cohostIds]);
    const now = this.now();
    const meeting: Meeting = {
      conferenceId: newConferenceId(now),
      corpId: booking.corpId,
      title: booking.title,
      status: MeetingStatus.initialised,
      bizType: BizType.booked,
      creatorUnionId: booking.creatorUnionId,
      creatorNick: booking.creatorNick,
      roomCode: booking.roomCode,
      conferencePassword: booking.conferencePassword,
      hostPassword: booking.hostPassword,
      joinToken: booking.joinToken,
      inviteCaller: false,
      createdAt: now,
      startTime: null,
      endTime: null,
      scheduleConferenceId: booking.scheduleConferenceId,
    };
    const member = (user: DirectoryUser, host: boolean): Member =>
      memberRecord({ conferenceId: meeting.conferenceId, memberId: randomHex(8), unionId: user.unionId, corpId: user.corpId, nick: user.name, host, coHost: !host });
    const mine = (id: string) => people.find((p) => p.unionId === id && p.corpId === booking.corpId);
    const members = [hostId, ...cohostIds].flatMap((id, i) => {
      const user = mine(id);
      return user ? [member(user, i === 0)] : [];
    });
    try {
      await this.opts.meetings.create(meeting, members);
    } catch (err) {
      // Someone else's join started it a moment ago.
      const running = err instanceof RoomCodeTaken ? await this.liveInstance(booking) : undefined;
      if (running) return running;
      throw err;
    }
    await this.opts.settings.update(meeting.conferenceId, meetingSettingsOf(s));
    await this.opts.events?.created(meeting, members);
    return meeting;
  }

  private view(b: Booking): BookingView {
    return {
      scheduleConferenceId: b.scheduleConferenceId,
      title: b.title,
      startTime: b.startTime,
      endTime: b.endTime,
      roomCode: b.roomCode,
      url: joinLink(this.opts.links.base, b),
      phones: [...this.opts.phoneNumbers],
    };
  }

  private async inOrg(corpId: string, id: string): Promise<Booking> {
    const booking = await this.opts.bookings.find(id);
    if (!booking) throw new Rejection('notFound', `scheduleConferenceId ${id} is unknown`);
    if (booking.corpId !== corpId) throw new Rejection('orgForbidden', 'the booking belongs to another organization');
    return booking;
  }

  private async forCreator(corpId: string, id: string, unionId: string): Promise<Booking> {
    const booking = await this.inOrg(corpId, id);
    await this.requireMember(corpId, unionId);
    if (booking.creatorUnionId !== unionId) throw new Rejection('notAllowed', 'only the creator may change the booking');
    return booking;
  }

  private async requireMember(corpId: string, unionId: string): Promise<DirectoryUser> {
    const user = await this.orgUser(corpId, unionId);
    // Unknown and foreign ids alike: either way, not a user of this organization.
    if (!user) throw new Rejection('unknownUser', `${unionId} is not a user of this organization`);
    return user;
  }

  private async orgUser(corpId: string, unionId: string): Promise<DirectoryUser | undefined> {
    return (await this.opts.directory.findUsers([unionId])).find((u) => u.corpId === corpId);
  }

  private async checkSettings(corpId: string, s: ScheduleSettingsModel): Promise<void> {
    const ids = [...(s.hostUnionId ? [s.hostUnionId] : []), ...(s.cohostUnionIds ?? [])];
    const found = await this.opts.directory.findUsers(ids);
    const outside = ids.find((id) => !found.some((u) => u.unionId === id && u.corpId === corpId));
    if (outside) throw new Rejection('unknownUser', `${outside} is not a user of this organization`);
    if (s.confAllowedCorpId && s.confAllowedCorpId !== corpId) throw new Rejection('invalidParams', 'confAllowedCorpId must be the organization of the booking');
    for (const [field, allowed] of [
      ['lockRoom', [0, 1]],
      ['screenShareForbidden', [0, 1]],
      ['muteOnJoin', [-1, 0, 6]],
    ] as const) {
      const v = s[field];
      if (v !== undefined && !(allowed as readonly number[]).includes(v)) throw new Rejection('invalidParams', `${field} must be one of ${allowed.join(', ')}`);
    }
  }
}

/** The booking's settings as the in-meeting settings of its instance (docs/scheduled-meetings.md). */
export function meetingSettingsOf(s: ScheduleSettingsModel): Partial<MeetingSettings> {
  const extra = s.moziConfVirtualExtraSetting ?? {};
  return {
    locked: s.lockRoom === 1,
    muteAll: s.muteOnJoin === -1,
    forbiddenShareScreen: s.screenShareForbidden === 1,
    onlyInternalEmployeesJoin: Boolean(s.confAllowedCorpId),
    allowUnmuteSelf: extra.lockMediaStatusMicMute !== 1,
  };
}

function checkTimes(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start <= 0) throw new Rejection('invalidParams', 'startTime and endTime must be epoch milliseconds');
  if (end <= start) throw new Rejection('invalidParams', 'endTime must be after startTime');
}

/** DingTalk's booking ids are UUIDs; so are ours. */
function randomUuid(): string {
  const h = randomHex(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
