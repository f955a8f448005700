/**
 * Issue 12 §5: media-quality samples on a real database file (SQLite; PostgreSQL too in the
 * api-postgres project): stored and read back by person and window, the newest per person, the
 * mean quality per member, and the retention pruning old samples — only those.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyFigures, type MetricSample } from '../../src/domain/metric-sample.js';
import { SqlMeetingRepository } from '../../src/store/meeting-repo.js';
import { StatisticsService } from '../../src/domain/statistics.js';
import { SqlDirectoryRepository } from '../../src/store/directory-repo.js';
import { SqlStatisticsStore } from '../../src/store/statistics-repo.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/** A SQLite file in a directory of its own (or a PostgreSQL database of its own). */
let opened: TestStore;
let store: SqlStatisticsStore;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 10);

function sample(memberId: string, unionId: string | null, at: number, quality: 0 | 1 | 2 | 3, sendBitRate = 1000): MetricSample {
  return { conferenceId: 'conf-metrics', memberId, unionId, at, quality, figures: { ...emptyFigures(), sendBitRate, cameraSendResolutionActual: '640x360' } };
}

beforeAll(async () => {
  opened = await openTestStore('vconf-metrics-');
  store = new SqlStatisticsStore(opened.store.db);
});
afterAll(async () => opened.close());

describe('metric samples', () => {
  it('are read back by person and window, oldest first, with their figures', async () => {
    await store.record([sample('m1', 'uA1', T0, 3, 500_000), sample('m1', 'uA1', T0 + 5000, 2, 400_000), sample('m2', 'uA2', T0 + 5000, 1), sample('m3', null, T0 + 5000, 0)]);
    // The same key again changes nothing.
    await store.record([sample('m1', 'uA1', T0, 1, 1)]);
    const got = await store.samplesOf('conf-metrics', 'uA1', T0, T0 + 5000, 100);
    expect(got.map((s) => [s.at, s.quality, s.figures.sendBitRate, s.figures.cameraSendResolutionActual])).toEqual([
      [T0, 3, 500_000, '640x360'],
      [T0 + 5000, 2, 400_000, '640x360'],
    ]);
    expect(await store.samplesOf('conf-metrics', 'uA1', T0 + 1, T0 + 4999, 100)).toEqual([]);
    expect((await store.samplesOf('conf-metrics', 'uA1', T0, T0 + 5000, 1)).map((s) => s.at)).toEqual([T0]);
    expect((await store.latest('conf-metrics', ['uA1', 'uA2', 'nobody'])).map((s) => [s.unionId, s.at]).sort()).toEqual([
      ['uA1', T0 + 5000],
      ['uA2', T0 + 5000],
    ]);
    // Unmeasured intervals (level 0) do not drag the mean down.
    expect(Object.fromEntries(await store.meanQuality('conf-metrics'))).toEqual({ m1: 2.5, m2: 1 });
  });

  it('older than the retention are pruned, in chunks, and nothing newer', async () => {
    const now = T0 + 40 * DAY;
    // 12,000 old samples (more than one prune chunk) and a few inside the retention.
    const old = Array.from({ length: 12_000 }, (_, i) => sample(`old${i % 50}`, `u${i % 50}`, T0 + i * 1000, 3));
    const recent = [sample('m9', 'uA9', now - 29 * DAY, 3), sample('m9', 'uA9', now - HOUR, 3)];
    await store.record([...old, ...recent]);
    const service = new StatisticsService({
      meetings: new SqlMeetingRepository(opened.store.db),
      directory: new SqlDirectoryRepository(opened.store.db),
      store,
      retentionMs: 30 * DAY,
      now: () => now,
    });
    const pruned = await service.prune();
    // The 4 samples of the first test are old too.
    expect(pruned).toBe(12_000 + 4);
    const left = await opened.store.db.selectFrom('metric_samples').select(['member_id', 'at']).orderBy('at').execute();
    expect(left.map((r) => [r.member_id, Number(r.at)])).toEqual([
      ['m9', now - 29 * DAY],
      ['m9', now - HOUR],
    ]);
    expect(await service.prune()).toBe(0);
    // Samples arriving already older than the retention are not kept at all.
    await service.record([sample('m8', 'uA8', now - 31 * DAY, 3), sample('m8', 'uA8', now, 3)]);
    expect((await store.latest('conf-metrics', ['uA8'])).map((s) => s.at)).toEqual([now]);
    expect(await store.samplesOf('conf-metrics', 'uA8', 0, now, 10)).toHaveLength(1);
  });
});
