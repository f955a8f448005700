/** Storage of the media-quality samples and the meeting listings the statistics operations read. */
import type { Meeting } from '../meeting.js';
import type { MetricSample } from '../metric-sample.js';
import type { MeetingKey } from './meetings.js';

export interface HistoryFilter {
  corpId: string;
  /** A meeting is in the window when it started (or was created, if nobody joined) within [from, to]. */
  from: number;
  to: number;
  title?: string | undefined;
  creatorNick?: string | undefined;
}

export interface StatisticsStore {
  /** Appends samples; a sample with the key (conferenceId, memberId, at) of a stored one replaces nothing and is dropped. */
  record(samples: readonly MetricSample[]): Promise<void>;
  /** A participant's samples in [from, to], oldest first, at most `limit`; by unionId. */
  samplesOf(conferenceId: string, unionId: string, from: number, to: number, limit: number): Promise<MetricSample[]>;
  /** The newest sample of each of these unionIds in the meeting. */
  latest(conferenceId: string, unionIds: readonly string[]): Promise<MetricSample[]>;
  /** Mean quality level (1–3) over each member's measured samples (level 0 left out). */
  meanQuality(conferenceId: string): Promise<Map<string, number>>;
  /** Deletes samples taken before `before`; resolves to how many went. */
  prune(before: number): Promise<number>;
  /** Meetings of the organization in a window, newest first, after `after`. */
  historyPage(filter: HistoryFilter, after: MeetingKey | null, limit: number): Promise<Meeting[]>;
  /** How many member records of each meeting ever joined. */
  attendance(conferenceIds: readonly string[]): Promise<Map<string, number>>;
}
