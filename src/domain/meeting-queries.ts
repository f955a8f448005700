import { AttendStatus, MeetingStatus, type Meeting, type Member } from './meeting.js';
import { decodePageToken, encodePageToken, pageSize, type Page, type PageRequest, type PageSize } from './page-token.js';
import { Rejection } from './rejection.js';
import type { DirectoryRepository, MeetingFilter, MeetingRepository } from './ports/index.js';

/**
 * The read side of the conference API (QueryConferenceInfoBatch, …ByRoomCode, QueryConferenceMembers,
 * QueryOrgConferenceList, QueryUserOnGoingConference), answered from the meeting and member records
 * that CreateVideoConference and presence in the rooms write. Choices are in docs/api-parity.md.
 */

/** QueryConferenceMembers: DingTalk's default of 128 per page; larger requests are served 1000 at a time. */
export const MEMBER_PAGE: PageSize = { fallback: 128, max: 1000 };
/** Meeting listings (by room code, the organization's meetings in progress). */
export const MEETING_PAGE: PageSize = { fallback: 20, max: 100 };
/** QueryConferenceInfoBatch: distinct ids per call. */
export const BATCH_MAX = 100;

/** A participant's microphone and camera as their page last reported them. */
export interface MediaState {
  mic: boolean;
  camera: boolean;
}

/** Media state of the people in a meeting's live room on this instance, by memberId; undefined when nobody is in it. */
export type LiveMedia = (conferenceId: string) => ReadonlyMap<string, MediaState> | undefined;

export interface MeetingQueriesOptions {
  meetings: MeetingRepository;
  directory: DirectoryRepository;
  media?: LiveMedia;
  now?: () => number;
}

export interface BatchEntry {
  meeting: Meeting;
  members: Array<{ member: Member; media: MediaState | undefined }>;
}

/**
 * A member record as of `now`: someone in the room has the current visit counted in `duration`
 * and no `leaveTime` (a leave time from an earlier visit would say they had left).
 */
export function memberAsOf(member: Member, now: number): Member {
  if (member.attendStatus !== AttendStatus.active) return member;
  const visit = member.visitStartedAt === null ? 0 : Math.max(0, now - member.visitStartedAt);
  return { ...member, duration: member.duration + visit, leaveTime: null };
}

/** When a meeting started (its creation until someone joins) and, once ended, its end and length. */
export function meetingTimes(meeting: Meeting): { startTime: number; endTime?: number; confDuration?: number } {
  const startTime = meeting.startTime ?? meeting.createdAt;
  if (meeting.status !== MeetingStatus.ended || meeting.endTime === null) return { startTime };
  return { startTime, endTime: meeting.endTime, confDuration: Math.max(0, meeting.endTime - startTime) };
}

export class MeetingQueries {
  private readonly now: () => number;

  constructor(private readonly opts: MeetingQueriesOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * The meetings among `conferenceIds` that have not ended, in request order, each with all its
   * member records. Ended and unknown ids are left out; a meeting of another organization refuses
   * the whole call.
   */
  async batch(corpId: string, conferenceIds: readonly string[]): Promise<BatchEntry[]> {
    const ids = [...new Set(conferenceIds)];
    if (ids.length === 0) throw new Rejection('invalidParams', 'conferenceIdList must not be empty');
    if (ids.length > BATCH_MAX) throw new Rejection('invalidParams', `conferenceIdList must not hold more than ${BATCH_MAX} ids`);
    const found = await this.opts.meetings.findMany(ids);
    const foreign = found.find((m) => m.corpId !== corpId);
    if (foreign) throw new Rejection('orgForbidden', `conference ${foreign.conferenceId} belongs to another organization`);
    const live = new Map(found.filter((m) => m.status !== MeetingStatus.ended).map((m) => [m.conferenceId, m]));
    const byMeeting = groupBy(await this.opts.meetings.membersOf([...live.keys()]), (m) => m.conferenceId);
    const now = this.now();
    return ids.flatMap((id) => {
      const meeting = live.get(id);
      if (!meeting) return [];
      const media = this.opts.media?.(id);
      const members = (byMeeting.get(id) ?? []).map((m) => ({ member: memberAsOf(m, now), media: media?.get(m.memberId) }));
      return [{ meeting, members }];
    });
  }

  /**
   * The token organization's meetings that have used this room code, newest first. A code none of
   * them used is notFound, whether or not another organization used it: the answer (and the work
   * behind it) is the same, so it reveals nothing about other organizations' meetings.
   */
  async byRoomCode(corpId: string, roomCode: string, page: PageRequest): Promise<Page<Meeting>> {
    // Booked meetings print their codes in groups ("838 722 12345"); the digits are the code.
    const code = roomCode.replaceAll(' ', '');
    if (!/^[0-9]{1,32}$/.test(code)) throw new Rejection('notFound', 'a room code is digits');
    const listing = `roomCode:${code}`;
    const size = pageSize(page.maxResults, MEETING_PAGE);
    const after = meetingKey(decodePageToken(listing, page.nextToken, ['number', 'string']));
    const filter: MeetingFilter = { corpId, roomCode: code };
    const totalCount = await this.opts.meetings.countMeetings(filter);
    if (totalCount === 0) throw new Rejection('notFound');
    const rows = await this.opts.meetings.meetingPage(filter, after, size + 1);
    return paged(rows, size, totalCount, (m) => encodePageToken(listing, [m.createdAt, m.conferenceId]));
  }

  /** One page of a meeting's member records in a stable order (memberId). */
  async members(corpId: string, conferenceId: string, page: PageRequest): Promise<Page<Member>> {
    await this.visibleMeeting(corpId, conferenceId);
    const listing = `members:${conferenceId}`;
    const size = pageSize(page.maxResults, MEMBER_PAGE);
    const key = decodePageToken(listing, page.nextToken, ['string']);
    const [rows, totalCount] = await Promise.all([
      this.opts.meetings.memberPage(conferenceId, key === null ? null : String(key[0]), size + 1),
      this.opts.meetings.countMembers(conferenceId),
    ]);
    const now = this.now();
    const result = paged(rows, size, totalCount, (m) => encodePageToken(listing, [m.memberId]));
    return { ...result, items: result.items.map((m) => memberAsOf(m, now)) };
  }

  /** The organization's meetings in progress (status 2), newest first. */
  async orgInProgress(corpId: string, page: PageRequest): Promise<Page<Meeting>> {
    const listing = `org:${corpId}`;
    const size = pageSize(page.maxResults, MEETING_PAGE);
    const after = meetingKey(decodePageToken(listing, page.nextToken, ['number', 'string']));
    const filter: MeetingFilter = { corpId, status: MeetingStatus.started };
    const [rows, totalCount] = await Promise.all([this.opts.meetings.meetingPage(filter, after, size + 1), this.opts.meetings.countMeetings(filter)]);
    return paged(rows, size, totalCount, (m) => encodePageToken(listing, [m.createdAt, m.conferenceId]));
  }

  /**
   * The meetings of the token's organization that this directory user is in right now, newest
   * first, with their member record in each. A unionId outside the organization is unknownUser.
   */
  async userInProgress(corpId: string, unionId: string): Promise<Array<{ meeting: Meeting; member: Member }>> {
    const users = await this.opts.directory.findUsers([unionId]);
    if (!users.some((u) => u.corpId === corpId && u.unionId === unionId)) throw new Rejection('unknownUser');
    const memberships = await this.opts.meetings.activeMemberships(unionId);
    const meetings = await this.opts.meetings.findMany(memberships.map((m) => m.conferenceId));
    const mine = new Map(meetings.filter((m) => m.corpId === corpId && m.status === MeetingStatus.started).map((m) => [m.conferenceId, m]));
    const now = this.now();
    return memberships
      .flatMap((member) => {
        const meeting = mine.get(member.conferenceId);
        return meeting ? [{ meeting, member: memberAsOf(member, now) }] : [];
      })
      .sort((a, b) => b.meeting.createdAt - a.meeting.createdAt || (a.meeting.conferenceId < b.meeting.conferenceId ? 1 : -1));
  }

  private async visibleMeeting(corpId: string, conferenceId: string): Promise<Meeting> {
    const meeting = await this.opts.meetings.find(conferenceId);
    if (!meeting) throw new Rejection('notFound');
    if (meeting.corpId !== corpId) throw new Rejection('orgForbidden');
    return meeting;
  }
}

function meetingKey(key: Array<string | number> | null) {
  return key === null ? null : { createdAt: Number(key[0]), conferenceId: String(key[1]) };
}

/** A page from `size + 1` fetched rows: the extra row only says that another page exists. */
function paged<T>(rows: T[], size: number, totalCount: number, tokenOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  return { items, nextToken: rows.length > size && last !== undefined ? tokenOf(last) : undefined, totalCount };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(keyOf(item));
    if (list) list.push(item);
    else out.set(keyOf(item), [item]);
  }
  return out;
}
