import type { Meeting, Member } from './meeting.js';
import { memberAsOf, meetingTimes } from './meeting-queries.js';
import type { MetricSample } from './metric-sample.js';
import { QUALITY_WORDS, type QualityLevel } from './network-quality.js';
import { decodePageToken, encodePageToken, pageSize, type Page, type PageRequest, type PageSize } from './page-token.js';
import { Rejection } from './rejection.js';
import type { DirectoryRepository, MeetingRepository, StatisticsStore } from './ports/index.js';

/**
 * The statistics operations (GetConfDataByConferenceId, GetConfDetailData, GetHistoryConfDataList,
 * GetUserLastMetric, GetUserMetricData), answered from the member records presence writes and the
 * media-quality samples the rooms record (src/rtc/stats). Choices are in docs/statistics.md.
 */

export const DETAIL_PAGE: PageSize = { fallback: 20, max: 100 };
export const HISTORY_PAGE: PageSize = { fallback: 20, max: 100 };
/** GetUserLastMetric: people per call. */
export const LAST_METRIC_MAX = 100;
/** GetUserMetricData has no paging: at most this many samples, oldest first (about 83 minutes at 5 s). */
export const METRIC_SAMPLES_MAX = 1000;
/** Default retention of samples (--stats-retention). */
export const DEFAULT_RETENTION_MS = 30 * 24 * 3_600_000;

/** One meeting's statistics record (GetConfDataByConferenceId, an item of GetHistoryConfDataList). */
export interface MeetingRecord {
  meeting: Meeting;
  orgName: string;
  startTime: number;
  endTime: number | undefined;
  /** ms; up to now while the meeting runs. */
  timeLength: number;
  /** Member records that ever joined. */
  userCount: number;
}

/** One participant's row of GetConfDetailData. */
export interface ParticipantRecord {
  member: Member;
  role: 'host' | 'cohost' | 'participant';
  networkQuality: string;
}

export interface HistoryQuery extends PageRequest {
  startTime: number;
  endTime: number;
  title?: string | undefined;
  creatorNick?: string | undefined;
}

export interface StatisticsOptions {
  meetings: MeetingRepository;
  directory: DirectoryRepository;
  store: StatisticsStore;
  retentionMs?: number;
  now?: () => number;
}

export class StatisticsService {
  private readonly now: () => number;
  readonly retentionMs: number;

  constructor(private readonly opts: StatisticsOptions) {
    this.now = opts.now ?? Date.now;
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
  }

  /** Samples from the rooms; those already older than the retention are not kept. */
  async record(samples: readonly MetricSample[]): Promise<void> {
    const cutoff = this.now() - this.retentionMs;
    const kept = samples.filter((s) => s.at >= cutoff);
    if (kept.length > 0) await this.opts.store.record(kept);
  }

  /** Deletes samples older than the retention; resolves to how many went. */
  prune(): Promise<number> {
    return this.opts.store.prune(this.now() - this.retentionMs);
  }

  async conference(corpId: string, conferenceId: string): Promise<MeetingRecord> {
    const meeting = await this.visibleMeeting(corpId, conferenceId);
    const [record] = await this.records(corpId, [meeting]);
    return record!;
  }

  /** The people who joined the meeting, in memberId order; `nick` keeps those whose name contains it. */
  async participants(corpId: string, conferenceId: string, page: PageRequest & { nick?: string | undefined }): Promise<Page<ParticipantRecord>> {
    await this.visibleMeeting(corpId, conferenceId);
    const listing = `details:${conferenceId}:${page.nick ?? ''}`;
    const size = pageSize(page.maxResults, DETAIL_PAGE);
    const key = decodePageToken(listing, page.nextToken, ['string']);
    const after = key === null ? null : String(key[0]);
    const [members, quality] = await Promise.all([this.opts.meetings.members(conferenceId), this.opts.store.meanQuality(conferenceId)]);
    const nick = page.nick?.trim();
    const joined = members.filter((m) => m.joinTime !== null && (!nick || m.nick.includes(nick)));
    const rest = joined.filter((m) => after === null || m.memberId > after);
    const items = rest.slice(0, size);
    const last = items[items.length - 1];
    const now = this.now();
    return {
      items: items.map((m) => ({ member: memberAsOf(m, now), role: m.host ? 'host' : m.coHost ? 'cohost' : 'participant', networkQuality: qualityWord(quality.get(m.memberId)) })),
      nextToken: rest.length > size && last ? encodePageToken(listing, [last.memberId]) : undefined,
      totalCount: joined.length,
    };
  }

  /** The organization's meetings that started in [startTime, endTime], newest first. */
  async history(corpId: string, query: HistoryQuery): Promise<Page<MeetingRecord>> {
    const { startTime, endTime } = query;
    if (!Number.isSafeInteger(startTime) || !Number.isSafeInteger(endTime) || startTime < 0) throw new Rejection('invalidParams', 'startTime and endTime are ms timestamps');
    if (startTime > endTime) throw new Rejection('invalidParams', 'startTime is after endTime');
    const listing = `history:${corpId}:${startTime}:${endTime}:${query.title ?? ''}:${query.creatorNick ?? ''}`;
    const size = pageSize(query.maxResults, HISTORY_PAGE);
    const key = decodePageToken(listing, query.nextToken, ['number', 'string']);
    const after = key === null ? null : { createdAt: Number(key[0]), conferenceId: String(key[1]) };
    const rows = await this.opts.store.historyPage(
      { corpId, from: startTime, to: endTime, title: query.title || undefined, creatorNick: query.creatorNick || undefined },
      after,
      size + 1,
    );
    const items = rows.slice(0, size);
    const last = items[items.length - 1];
    return {
      items: await this.records(corpId, items),
      nextToken: rows.length > size && last ? encodePageToken(listing, [last.createdAt, last.conferenceId]) : undefined,
      totalCount: items.length,
    };
  }

  /** The newest sample of each of these people in the meeting; people without one are left out. */
  async lastMetrics(corpId: string, conferenceId: string, unionIds: readonly string[]): Promise<MetricSample[]> {
    if (unionIds.length === 0) throw new Rejection('invalidParams', 'unionIdList must not be empty');
    if (unionIds.length > LAST_METRIC_MAX) throw new Rejection('invalidParams', `unionIdList must not hold more than ${LAST_METRIC_MAX} ids`);
    if (unionIds.some((id) => typeof id !== 'string' || id === '')) throw new Rejection('invalidParams', 'unionIdList holds an empty id');
    await this.visibleMeeting(corpId, conferenceId);
    return this.opts.store.latest(conferenceId, unionIds);
  }

  /** One person's samples in [beginTime, endTime], oldest first. */
  async metrics(corpId: string, conferenceId: string, unionId: string, beginTime: number, endTime: number): Promise<MetricSample[]> {
    if (!unionId) throw new Rejection('invalidParams', 'unionId is required');
    if (!Number.isSafeInteger(beginTime) || !Number.isSafeInteger(endTime) || beginTime < 0) throw new Rejection('invalidParams', 'beginTime and endTime are ms timestamps');
    if (beginTime > endTime) throw new Rejection('invalidParams', 'beginTime is after endTime');
    await this.visibleMeeting(corpId, conferenceId);
    return this.opts.store.samplesOf(conferenceId, unionId, beginTime, endTime, METRIC_SAMPLES_MAX);
  }

  private async records(corpId: string, meetings: readonly Meeting[]): Promise<MeetingRecord[]> {
    if (meetings.length === 0) return [];
    const [org, counts] = await Promise.all([this.opts.directory.findOrg(corpId), this.opts.store.attendance(meetings.map((m) => m.conferenceId))]);
    const now = this.now();
    return meetings.map((meeting) => {
      const { startTime, endTime } = meetingTimes(meeting);
      return {
        meeting,
        orgName: org?.name ?? '',
        startTime,
        endTime,
        timeLength: Math.max(0, (endTime ?? (meeting.startTime === null ? startTime : now)) - startTime),
        userCount: counts.get(meeting.conferenceId) ?? 0,
      };
    });
  }

  private async visibleMeeting(corpId: string, conferenceId: string): Promise<Meeting> {
    const meeting = await this.opts.meetings.find(conferenceId);
    if (!meeting) throw new Rejection('notFound');
    if (meeting.corpId !== corpId) throw new Rejection('orgForbidden');
    return meeting;
  }
}

/** The words of the rounded mean level; "unknown" when nothing was measured. */
function qualityWord(mean: number | undefined): string {
  if (mean === undefined) return QUALITY_WORDS[0];
  return QUALITY_WORDS[Math.min(3, Math.max(1, Math.round(mean))) as QualityLevel];
}
