/** The published retry schedule and its `--event-retry-schedule` spelling. */
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig, retrySchedule } from '../../src/config.js';
import { DEFAULT_RETRY_SCHEDULE_MS } from '../../src/events/dispatcher.js';

describe('event retry schedule', () => {
  it('defaults to the schedule docs/events.md publishes', () => {
    expect(resolveConfig([], {}).eventRetryScheduleMs).toBeUndefined();
    expect(DEFAULT_RETRY_SCHEDULE_MS).toEqual(retrySchedule('1s,5s,30s,2m,10m,1h,1h,1h'));
  });

  it('reads waits with units from the flag or the environment', () => {
    expect(resolveConfig(['--event-retry-schedule', '250ms, 2s,3m,1h']).eventRetryScheduleMs).toEqual([250, 2000, 180_000, 3_600_000]);
    expect(resolveConfig([], { VCONF_EVENT_RETRY_SCHEDULE: '10s' }).eventRetryScheduleMs).toEqual([10_000]);
  });

  it('refuses waits without a unit, zero, over a day, or too many', () => {
    for (const bad of ['5', '0s', '25h', '1s,,2s', Array.from({ length: 51 }, () => '1s').join(',')]) {
      expect(() => retrySchedule(bad), bad).toThrow(ConfigError);
    }
  });
});
