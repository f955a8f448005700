/** Meetings, their member records, settings and bookings, as storage keeps them. */
import type { AppendedEvent, NewEvent } from '../events.js';
import type { Meeting, Member } from '../meeting.js';
import type { MeetingSettings, SettingsPatch } from '../meeting-settings.js';
import type { Booking } from '../schedule.js';

/** Thrown by MeetingRepository.create when the room code is already held by a live meeting. */
export class RoomCodeTaken extends Error {
  constructor() {
    super('room code taken');
    this.name = 'RoomCodeTaken';
  }
}

export interface MeetingRepository {
  /** Persists the meeting and its members atomically. */
  create(meeting: Meeting, members: readonly Member[], events?: readonly NewEvent[]): Promise<AppendedEvent[]>;
  find(conferenceId: string): Promise<Meeting | undefined>;
  members(conferenceId: string): Promise<Member[]>;
  /** Every meeting that has used this room code, newest first (a code is reused once its meeting ended). */
  findByRoomCode(roomCode: string): Promise<Meeting[]>;
  findMember(conferenceId: string, memberId: string): Promise<Member | undefined>;
  isDeviceBanned(conferenceId: string, deviceId: string): Promise<boolean>;
  /** Whether a removal barred this signed-in person (a banned member record under their unionId). */
  isUnionBanned(conferenceId: string, corpId: string, unionId: string): Promise<boolean>;
  /** Whether a member record of the meeting has this browser (it was inside before). */
  isDeviceMember(conferenceId: string, deviceId: string): Promise<boolean>;
  /** Bars newcomers from a network until `until` (a removed guest's network, docs/security.md). */
  barNetwork(conferenceId: string, network: string, until: number): Promise<void>;
  /** Since when a bar on this network holds, if one holds at `now`. */
  networkBarredSince(conferenceId: string, network: string, now: number): Promise<number | undefined>;
  insertMember(member: Member): Promise<void>;
  updateMember(conferenceId: string, memberId: string, patch: Partial<Omit<Member, 'conferenceId' | 'memberId'>>): Promise<void>;
  /** initialised → started, once; later calls change nothing. */
  markStarted(conferenceId: string, at: number): Promise<void>;
  /** Ends the meeting and closes the visits of everyone still in it, atomically. False if it had already ended. */
  markEnded(conferenceId: string, at: number): Promise<boolean>;

  // Reads of the query API (src/domain/meeting-queries.ts).
  /** The meetings among these ids that exist, in any order. */
  findMany(conferenceIds: readonly string[]): Promise<Meeting[]>;
  /** The member records of these meetings, in memberId order within each meeting. */
  membersOf(conferenceIds: readonly string[]): Promise<Member[]>;
  /** Up to `limit` member records of a meeting in memberId order, starting after `afterMemberId`. */
  memberPage(conferenceId: string, afterMemberId: string | null, limit: number): Promise<Member[]>;
  countMembers(conferenceId: string): Promise<number>;
  /** Up to `limit` meetings matching `filter`, newest first (createdAt, then conferenceId, descending), after `after`. */
  meetingPage(filter: MeetingFilter, after: MeetingKey | null, limit: number): Promise<Meeting[]>;
  countMeetings(filter: MeetingFilter): Promise<number>;
  /** The member records of this unionId, in any meeting, whose holder is in the room now. */
  activeMemberships(unionId: string): Promise<Member[]>;
}

/** Which meetings a listing covers; absent fields do not filter. */
export interface MeetingFilter {
  corpId?: string;
  roomCode?: string;
  status?: Meeting['status'];
}

/** The last meeting of a page, where the next page continues. */
export interface MeetingKey {
  createdAt: number;
  conferenceId: string;
}

/** Storage of the settings, and the one membership fact the entry rules need. */
export interface MeetingSettingsStore {
  /** The meeting's settings; the defaults when none were ever set. */
  get(conferenceId: string): Promise<MeetingSettings>;
  /** Applies `patch` and returns the result. */
  update(conferenceId: string, patch: SettingsPatch): Promise<MeetingSettings>;
  /** Whether this browser already has a member record in the meeting (it entered before). */
  deviceIsMember(conferenceId: string, deviceId: string): Promise<boolean>;
}

export interface BookingRepository {
  create(booking: Booking): Promise<void>;
  find(scheduleConferenceId: string): Promise<Booking | undefined>;
  /** Every booking that has had this room code, cancelled ones included. */
  findByRoomCode(roomCode: string): Promise<Booking[]>;
  update(scheduleConferenceId: string, patch: Partial<Pick<Booking, 'title' | 'startTime' | 'endTime' | 'cancelled' | 'settings'>>): Promise<void>;
}

/** A per-user short link of a booked meeting (CreateCustomShortLink). */
export interface ShortLink {
  code: string;
  scheduleConferenceId: string;
  corpId: string;
  unionId: string;
  coolAppCode: string;
  bizData: string | null;
  useExtensionApp: boolean;
  createdAt: number;
}

/** UpdateVideoConferenceExtInfo's stored ext info and CreateCustomShortLink's links. */
export interface ConferenceExtrasStore {
  setExtInfo(conferenceId: string, extInfo: Record<string, unknown>): Promise<void>;
  extInfo(conferenceId: string): Promise<Record<string, unknown> | undefined>;
  insertLink(link: ShortLink): Promise<void>;
  findLink(code: string): Promise<ShortLink | undefined>;
}
