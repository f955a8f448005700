import type { Kysely, Selectable } from 'kysely';
import { emptyFigures, METRIC_FIELDS, type MetricFigures, type MetricSample } from '../domain/metric-sample.js';
import type { QualityLevel } from '../domain/network-quality.js';
import type { HistoryFilter, MeetingKey, StatisticsStore } from '../domain/ports/index.js';
import { toMeeting } from './meeting-rows.js';
import type { Database, MetricSamplesTable } from './schema.js';

/** Rows per INSERT: well under SQLite's 32,766 bound parameters (6 per row). */
const INSERT_CHUNK = 500;
/** Rows per DELETE when pruning, so a large backlog never holds the write lock for long. */
const PRUNE_CHUNK = 5_000;

/** StatisticsStore on SQLite or PostgreSQL (migration 014). */
export class SqlStatisticsStore implements StatisticsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async record(samples: readonly MetricSample[]): Promise<void> {
    for (let i = 0; i < samples.length; i += INSERT_CHUNK) {
      const rows = samples.slice(i, i + INSERT_CHUNK).map(sampleRow);
      await this.db
        .insertInto('metric_samples')
        .values(rows)
        .onConflict((oc) => oc.columns(['conference_id', 'member_id', 'at']).doNothing())
        .execute();
    }
  }

  async samplesOf(conferenceId: string, unionId: string, from: number, to: number, limit: number): Promise<MetricSample[]> {
    const rows = await this.db
      .selectFrom('metric_samples')
      .selectAll()
      .where('conference_id', '=', conferenceId)
      .where('union_id', '=', unionId)
      .where('at', '>=', from)
      .where('at', '<=', to)
      .orderBy('at')
      .orderBy('member_id')
      .limit(limit)
      .execute();
    return rows.map(toSample);
  }

  async latest(conferenceId: string, unionIds: readonly string[]): Promise<MetricSample[]> {
    if (unionIds.length === 0) return [];
    // One indexed look per person: the newest row under (conference_id, union_id, at).
    const found = await Promise.all(
      [...new Set(unionIds)].map((unionId) =>
        this.db
          .selectFrom('metric_samples')
          .selectAll()
          .where('conference_id', '=', conferenceId)
          .where('union_id', '=', unionId)
          .orderBy('at', 'desc')
          .limit(1)
          .executeTakeFirst(),
      ),
    );
    return found.flatMap((row) => (row ? [toSample(row)] : []));
  }

  async meanQuality(conferenceId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('metric_samples')
      .select((eb) => ['member_id', eb.fn.avg<number | string>('quality').as('mean')])
      .where('conference_id', '=', conferenceId)
      .where('quality', '>', 0)
      .groupBy('member_id')
      .execute();
    return new Map(rows.map((r) => [r.member_id, Number(r.mean)]));
  }

  async prune(before: number): Promise<number> {
    let total = 0;
    for (;;) {
      // Oldest first by the `at` index, a chunk at a time (portable: no DELETE … LIMIT in PostgreSQL).
      const oldest = await this.db
        .selectFrom('metric_samples')
        .select('at')
        .where('at', '<', before)
        .orderBy('at')
        .offset(PRUNE_CHUNK - 1)
        .limit(1)
        .executeTakeFirst();
      const bound = oldest === undefined ? before : Math.min(before, Number(oldest.at) + 1);
      const result = await this.db.deleteFrom('metric_samples').where('at', '<', bound).executeTakeFirst();
      total += Number(result.numDeletedRows);
      if (oldest === undefined || bound === before) return total;
    }
  }

  async historyPage(filter: HistoryFilter, after: MeetingKey | null, limit: number) {
    let query = this.db
      .selectFrom('meetings')
      .selectAll()
      .where('corp_id', '=', filter.corpId)
      // A meeting starts after it is created: nothing created after the window can be in it.
      .where('created_at', '<=', filter.to)
      .where((eb) =>
        eb.or([
          eb.and([eb('start_time', 'is not', null), eb('start_time', '>=', filter.from), eb('start_time', '<=', filter.to)]),
          eb.and([eb('start_time', 'is', null), eb('created_at', '>=', filter.from)]),
        ]),
      );
    if (filter.title !== undefined) query = query.where('title', '=', filter.title);
    if (filter.creatorNick !== undefined) query = query.where('creator_nick', '=', filter.creatorNick);
    if (after !== null) {
      query = query.where((eb) =>
        eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('conference_id', '<', after.conferenceId)])]),
      );
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('conference_id', 'desc').limit(limit).execute();
    return rows.map(toMeeting);
  }

  async attendance(conferenceIds: readonly string[]): Promise<Map<string, number>> {
    if (conferenceIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('meeting_members')
      .select((eb) => ['conference_id', eb.fn.countAll<number | string>().as('n')])
      .where('conference_id', 'in', [...conferenceIds])
      .where('join_time', 'is not', null)
      .groupBy('conference_id')
      .execute();
    return new Map(rows.map((r) => [r.conference_id, Number(r.n)]));
  }
}

function sampleRow(s: MetricSample): MetricSamplesTable {
  return { conference_id: s.conferenceId, member_id: s.memberId, union_id: s.unionId, at: s.at, quality: s.quality, figures: JSON.stringify(s.figures) };
}

function toSample(row: Selectable<MetricSamplesTable>): MetricSample {
  return {
    conferenceId: row.conference_id,
    memberId: row.member_id,
    unionId: row.union_id,
    at: Number(row.at),
    quality: Number(row.quality) as QualityLevel,
    figures: parseFigures(row.figures),
  };
}

/** Stored figures over the defaults, so a field added later reads as zero in older rows. */
function parseFigures(text: string): MetricFigures {
  const stored = JSON.parse(text) as Partial<Record<keyof MetricFigures, unknown>>;
  const figures = emptyFigures() as unknown as Record<string, unknown>;
  for (const key of METRIC_FIELDS) {
    const value = stored[key];
    if (typeof value === typeof figures[key]) figures[key] = value;
  }
  return figures as unknown as MetricFigures;
}
