import type { MetricSample } from '../../domain/metric-sample.js';
import type { QualityLevel } from '../../domain/network-quality.js';
import type { ServerMessageOf, StatsReport } from '../../protocol/room.js';
import type { TrackCounters } from './track-counters.js';
import { TrackStats } from './track-stats.js';

/** Default statistics interval: pages report and the SFU is read this often. */
export const DEFAULT_STATS_INTERVAL_MS = 5_000;

/** What one meeting's statistics need from the live room and the SFU. */
export interface StatsRoom {
  readonly conferenceId: string;
  /** The people in the room now, with their directory identity (null for guests). */
  people(): Array<{ participantId: string; unionId: string | null }>;
  /** Running totals of every track (src/rtc/sfu); absent when the media server does not measure. */
  trackCounters?(): TrackCounters[];
  /** Sends a frame to everyone in the room. */
  announce(message: ServerMessageOf<'quality'>): void;
}

/** Where samples go (StatisticsService.record); failures are reported, never thrown into the room. */
export interface SampleSink {
  record(samples: readonly MetricSample[]): Promise<void>;
  failed(err: unknown, conferenceId: string): void;
}

/**
 * One live meeting's statistics: every interval the SFU's counters become per-track rates (the
 * one TrackStats of the meeting), each person's figures and quality level are derived, the room is
 * told the levels (`quality` frame: the tiles' bars and the weak-connection hint) and the samples
 * are stored for the statistics operations.
 */
export class RoomStats {
  readonly tracks = new TrackStats();
  private timer: NodeJS.Timeout | undefined;
  private lastLevels = '';

  constructor(
    private readonly room: StatsRoom,
    private readonly sink: SampleSink | undefined,
    readonly intervalMs: number = DEFAULT_STATS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Someone entered: measuring runs while anyone is in, and the next interval tells them every level. */
  joined(): void {
    this.lastLevels = '';
    this.start();
  }

  report(participantId: string, report: StatsReport): void {
    this.tracks.report(participantId, report, this.now());
  }

  left(participantId: string): void {
    this.tracks.forget(participantId);
  }

  /** One interval: read the SFU, derive everyone's figures, tell the room, store the samples. */
  tick(): MetricSample[] {
    const at = this.now();
    this.tracks.update(this.room.trackCounters?.() ?? [], at);
    const levels: Record<string, QualityLevel> = {};
    const samples: MetricSample[] = [];
    for (const { participantId, unionId } of this.room.people()) {
      const { figures, quality } = this.tracks.participant(participantId, at);
      levels[participantId] = quality;
      samples.push({ conferenceId: this.room.conferenceId, memberId: participantId, unionId, at, quality, figures });
    }
    // The frame goes out when a level changed, and again each interval anyway would be noise.
    const text = JSON.stringify(levels);
    if (text !== this.lastLevels) {
      this.lastLevels = text;
      this.room.announce({ type: 'quality', levels });
    }
    if (this.sink && samples.length > 0) {
      this.sink.record(samples).catch((err: unknown) => this.sink?.failed(err, this.room.conferenceId));
    }
    return samples;
  }
}
