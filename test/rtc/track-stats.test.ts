/**
 * The per-track statistics source (src/rtc/stats) without a network: running totals become rates,
 * loss is blamed on the hop that lost it, browser reports fill in what only browsers know, the room
 * is told quality levels when they change, and the statistics options parse.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { qualityLevel } from '../../src/domain/network-quality.js';
import { RoomStats } from '../../src/rtc/stats/room-stats.js';
import type { TrackCounters } from '../../src/rtc/stats/track-counters.js';
import { TrackStats } from '../../src/rtc/stats/track-stats.js';

const up = (participantId: string, source: 'mic' | 'camera', bytes: number, packets: number, packetsLost: number, jitterMs?: number): TrackCounters => ({
  key: `up:${participantId}:${source}`,
  direction: 'up',
  participantId,
  source,
  kind: source === 'mic' ? 'audio' : 'video',
  bytes,
  packets,
  packetsLost,
  jitterMs,
});
const down = (subscriber: string, from: string, source: 'mic' | 'camera', bytes: number, fractionLost: number, rttMs?: number): TrackCounters => ({
  key: `down:${subscriber}:${from}:${source}`,
  direction: 'down',
  participantId: subscriber,
  source,
  kind: source === 'mic' ? 'audio' : 'video',
  fromKey: `up:${from}:${source}`,
  bytes,
  packets: bytes / 1000,
  packetsLost: 0,
  fractionLost,
  rttMs,
});

describe('TrackStats', () => {
  it('turns running totals into bit rates and loss per interval', () => {
    const stats = new TrackStats();
    stats.update([up('a', 'camera', 1_000_000, 1000, 0), up('a', 'mic', 40_000, 500, 0, 3)], 10_000);
    expect(stats.tracks()).toEqual([]);
    // 2 s later: 125 kB more video (500 kbit/s), 8 kB more audio (32 kbit/s), 50 of 500 audio packets lost.
    stats.update([up('a', 'camera', 1_125_000, 1100, 0), up('a', 'mic', 48_000, 950, 50, 4)], 12_000);
    const rates = Object.fromEntries(stats.tracks().map((t) => [t.source, t]));
    expect(rates.camera!.bitrate).toBe(500_000);
    expect(rates.mic!.bitrate).toBe(32_000);
    expect(rates.mic!.lossPercent).toBe(10);
    const a = stats.participant('a', 12_000);
    expect(a.figures).toMatchObject({ sendBitRate: 532_000, cameraSendBitRate: 500_000, audioSendBitRate: 32_000, lostRate: 10, audioJitterAvg: 4, audioJitterMax: 4 });
    expect(a.quality).toBe(1);
    // A track that is gone is forgotten.
    stats.update([up('a', 'mic', 56_000, 1450, 50)], 14_000);
    expect(stats.tracks().map((t) => t.source)).toEqual(['mic']);
  });

  it("blames a sender's uplink loss on the sender, not on those who receive the gaps", () => {
    const stats = new TrackStats();
    const at = (t: number, upLost: number, fraction: number) =>
      stats.update([up('bob', 'mic', t * 4, t * 50, upLost), down('alice', 'bob', 'mic', t * 4, fraction, 20)], t * 1000);
    at(10, 0, 0);
    // Bob's uplink lost 40%; Alice's receiver reports 40% missing too — none of it on her own link.
    at(12, 67, 0.4);
    expect(stats.participant('bob', 12_000)).toMatchObject({ quality: 1 });
    expect(stats.participant('bob', 12_000).figures.lostRate).toBeGreaterThan(35);
    const alice = stats.participant('alice', 12_000);
    expect(alice.figures.lostRate).toBeLessThan(1);
    expect(alice.figures.roundTripTime).toBe(20);
    expect(alice.quality).toBe(3);
  });

  it("merges a page's fresh report: resolution, frame rate, levels, its own round trip; a stale one is ignored", () => {
    const stats = new TrackStats();
    stats.report('a', { cameraSend: 300_000, cameraSendRes: '640x360', cameraSendFps: 24, micLevel: 0.5, playLevel: 0.25, rtt: 350 }, 1000);
    const fresh = stats.participant('a', 2000);
    // No SFU tracks measured: the page's rates stand in.
    expect(fresh.figures).toMatchObject({ cameraSendBitRate: 300_000, cameraSendResolutionActual: '640x360', cameraSendFrame: 24, audioRecLevel: 50, audioPlayLevel: 25, roundTripTime: 350 });
    expect(fresh.quality).toBe(2);
    const stale = stats.participant('a', 1000 + 16_000);
    expect(stale.figures.cameraSendResolutionActual).toBe('');
    expect(stale.quality).toBe(0);
  });
});

describe('RoomStats', () => {
  it('tells the room the levels when they change and hands every person\'s sample to the sink', async () => {
    const announced: object[] = [];
    const recorded: unknown[][] = [];
    let counters: TrackCounters[] = [up('p1', 'mic', 0, 0, 0)];
    let now = 1000;
    const room = new RoomStats(
      {
        conferenceId: 'c1',
        people: () => [
          { participantId: 'p1', unionId: 'u1' },
          { participantId: 'p2', unionId: null },
        ],
        trackCounters: () => counters,
        announce: (m) => announced.push(m),
      },
      { record: async (s) => void recorded.push([...s]), failed: () => undefined },
      1000,
      () => now,
    );
    room.tick();
    now = 2000;
    counters = [up('p1', 'mic', 4000, 50, 0)];
    const samples = room.tick();
    expect(samples.map((s) => [s.memberId, s.unionId, s.at, s.quality])).toEqual([
      ['p1', 'u1', 2000, 3],
      ['p2', null, 2000, 0],
    ]);
    now = 3000;
    counters = [up('p1', 'mic', 8000, 100, 0)];
    room.tick();
    expect(announced).toEqual([
      { type: 'quality', levels: { p1: 0, p2: 0 } },
      { type: 'quality', levels: { p1: 3, p2: 0 } },
    ]);
    // A newcomer gets the levels at the next interval even when nothing changed.
    room.joined();
    room.tick();
    room.stop();
    expect(announced).toHaveLength(3);
    await Promise.resolve();
    expect(recorded.flat()).toHaveLength(8);
  });
});

describe('quality levels and options', () => {
  it('go from loss, round trip and the browser\'s send budget', () => {
    expect(qualityLevel({ lossPercent: undefined, rttMs: undefined })).toBe(0);
    expect(qualityLevel({ lossPercent: 0.5, rttMs: 40 })).toBe(3);
    expect(qualityLevel({ lossPercent: 4, rttMs: 40 })).toBe(2);
    expect(qualityLevel({ lossPercent: 0, rttMs: 320 })).toBe(2);
    expect(qualityLevel({ lossPercent: 12, rttMs: 40 })).toBe(1);
    expect(qualityLevel({ lossPercent: 0, rttMs: 40, availableSendBitrate: 100_000 })).toBe(1);
  });

  it('--stats-retention and --stats-interval parse, with their defaults', () => {
    expect(resolveConfig([], {})).toMatchObject({ statsRetentionMs: 30 * 86_400_000, statsIntervalMs: 5000 });
    expect(resolveConfig(['--stats-retention', '12h', '--stats-interval', '2s'], {})).toMatchObject({ statsRetentionMs: 12 * 3_600_000, statsIntervalMs: 2000 });
    expect(resolveConfig([], { VCONF_STATS_RETENTION: '7d' }).statsRetentionMs).toBe(7 * 86_400_000);
    expect(() => resolveConfig(['--stats-retention', '30m'], {})).toThrow(/stats-retention/);
    expect(() => resolveConfig(['--stats-interval', '100ms'], {})).toThrow(/stats-interval/);
  });
});
