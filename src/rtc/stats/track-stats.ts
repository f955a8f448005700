import { emptyFigures, type MetricFigures } from '../../domain/metric-sample.js';
import { qualityLevel, type QualityLevel } from '../../domain/network-quality.js';
import type { Source } from '../sfu/types.js';
import type { StatsReport } from '../../protocol/room.js';
import type { TrackCounters } from './track-counters.js';

/** Upstream loss (%) above which a viewer's loss on that track is not counted against the viewer. */
const UPSTREAM_LOSS_UNCLEAR = 1;

/** One track over the last interval, as the SFU measured it. */
export interface TrackRate {
  key: string;
  direction: 'up' | 'down';
  /** The publisher (up) or the subscriber (down). */
  participantId: string;
  source: Source;
  kind: 'audio' | 'video';
  /** down: the upstream track it carries. */
  fromKey: string | undefined;
  /** bit/s of RTP payload. */
  bitrate: number;
  /** Percent of packets lost on this hop alone (down: loss the upstream hop already had is taken out). */
  lossPercent: number;
  jitterMs: number | undefined;
  rttMs: number | undefined;
}

/** A participant's figures now: the spec's metric fields and the quality level derived from them. */
export interface ParticipantStats {
  figures: MetricFigures;
  quality: QualityLevel;
}

/** A browser report older than this is not merged (the page stopped reporting). */
const REPORT_FRESH_MS = 15_000;

/**
 * The per-track statistics of one meeting — the one source the quality indicator, the stored
 * samples and the statistics operations read. The SFU's own measurements (RTCP: bytes, sequence
 * gaps, jitter, receiver reports) arrive as running totals each interval and become rates here;
 * each page's getStats report fills in what only the browser knows (resolution, frame rate, audio
 * levels, its own round trip). Where both measured the same thing, the SFU's figure is kept for
 * bit rates and the worse of the two for loss and round trip.
 */
export class TrackStats {
  private readonly previous = new Map<string, { counters: TrackCounters; at: number }>();
  private readonly rates = new Map<string, TrackRate>();
  private readonly reports = new Map<string, { report: StatsReport; at: number }>();
  private readonly jitterMax = new Map<string, number>();

  /** New running totals of every live track at `now` (ms); tracks not in the list are gone. */
  update(counters: readonly TrackCounters[], now: number): void {
    const live = new Set<string>();
    for (const c of counters) {
      live.add(c.key);
      const before = this.previous.get(c.key);
      this.previous.set(c.key, { counters: c, at: now });
      if (!before || now <= before.at) continue;
      const seconds = (now - before.at) / 1000;
      const bytes = Math.max(0, c.bytes - before.counters.bytes);
      const packets = Math.max(0, c.packets - before.counters.packets);
      const lost = Math.max(0, c.packetsLost - before.counters.packetsLost);
      const lossPercent = c.direction === 'up' ? (packets + lost > 0 ? (100 * lost) / (packets + lost) : 0) : (c.fractionLost ?? 0) * 100;
      this.rates.set(c.key, {
        key: c.key,
        direction: c.direction,
        participantId: c.participantId,
        source: c.source,
        kind: c.kind,
        fromKey: c.fromKey,
        bitrate: (bytes * 8) / seconds,
        lossPercent,
        jitterMs: c.jitterMs,
        rttMs: c.rttMs,
      });
    }
    for (const key of [...this.previous.keys()]) {
      if (live.has(key)) continue;
      this.previous.delete(key);
      this.rates.delete(key);
    }
  }

  /** A page's getStats report. */
  report(participantId: string, report: StatsReport, now: number): void {
    this.reports.set(participantId, { report, at: now });
  }

  /** The participant left: their report and jitter high-water mark go. */
  forget(participantId: string): void {
    this.reports.delete(participantId);
    this.jitterMax.delete(participantId);
  }

  /** Every track's rate over the last interval. */
  tracks(): TrackRate[] {
    return [...this.rates.values()];
  }

  /** One participant's figures and quality, from their tracks both ways and their page's last report. */
  participant(participantId: string, now: number): ParticipantStats {
    const f = emptyFigures();
    const fresh = this.reports.get(participantId);
    const r: StatsReport = fresh && now - fresh.at <= REPORT_FRESH_MS ? fresh.report : {};
    const up = this.tracks().filter((t) => t.direction === 'up' && t.participantId === participantId);
    const down = this.tracks().filter((t) => t.direction === 'down' && t.participantId === participantId);
    // Whole bits per second, so the totals below are exactly the sum of the parts the API shows.
    const sum = (tracks: TrackRate[], source: Source) => Math.round(tracks.filter((t) => t.source === source).reduce((n, t) => n + t.bitrate, 0));
    const measured = up.length + down.length > 0;
    f.audioSendBitRate = up.length ? sum(up, 'mic') : (r.audioSend ?? 0);
    f.cameraSendBitRate = up.length ? sum(up, 'camera') : (r.cameraSend ?? 0);
    f.screenSendBitRate = up.length ? sum(up, 'screen') : (r.screenSend ?? 0);
    f.audioRecvBitRate = down.length ? sum(down, 'mic') : (r.audioRecv ?? 0);
    f.cameraRecvBitRate = down.length ? sum(down, 'camera') : (r.cameraRecv ?? 0);
    f.screenRecvBitRate = down.length ? sum(down, 'screen') : (r.screenRecv ?? 0);
    f.sendBitRate = f.audioSendBitRate + f.cameraSendBitRate + f.screenSendBitRate;
    f.recvBitRate = f.audioRecvBitRate + f.cameraRecvBitRate + f.screenRecvBitRate;

    // Loss on this person's own links: what the SFU saw missing from their uploads, and what their
    // receiver reports say went missing on the way down beyond what was already missing upstream.
    const upLoss = Math.max(0, ...up.map((t) => t.lossPercent));
    // A track that arrived with losses (the sender's uplink) cannot tell the viewer's share apart, the
    // more so with simulcast: the sender's loss is counted over all its layers, the viewer gets one of
    // them, and a switch between layers shifts what its receiver reports count. Such tracks are left out.
    const downLoss = Math.max(0, ...down.map((t) => (this.upstreamLoss(t.key) >= UPSTREAM_LOSS_UNCLEAR ? 0 : Math.max(0, t.lossPercent - this.upstreamLoss(t.key)))));
    // The page's own view of what it receives (lossDown) is left out: it counts packets a sender's
    // uplink lost as well, and would flag everyone in a meeting with one bad uplink.
    const loss = Math.max(upLoss, downLoss, r.lossUp ?? 0);
    const rtts = [...down.map((t) => t.rttMs), r.rtt].filter((v): v is number => v !== undefined);
    const rtt = rtts.length ? Math.max(...rtts) : undefined;
    f.lostRate = loss;
    f.roundTripTime = rtt ?? 0;

    const jitters = [...up.filter((t) => t.kind === 'audio').map((t) => t.jitterMs), r.jitter].filter((v): v is number => v !== undefined);
    f.audioJitterAvg = jitters.length ? jitters.reduce((a, b) => a + b, 0) / jitters.length : 0;
    const peak = Math.max(this.jitterMax.get(participantId) ?? 0, ...jitters);
    this.jitterMax.set(participantId, peak);
    f.audioJitterMax = peak;

    f.audioRecLevel = Math.round((r.micLevel ?? 0) * 100);
    f.audioPlayLevel = Math.round((r.playLevel ?? 0) * 100);
    f.cameraSendFrame = r.cameraSendFps ?? 0;
    f.cameraRecvFrame = r.cameraRecvFps ?? 0;
    f.screenSendFrame = r.screenSendFps ?? 0;
    f.screenRecvFrame = r.screenRecvFps ?? 0;
    f.cameraSendResolutionActual = r.cameraSendRes ?? '';
    f.cameraRecvResolutionActual = r.cameraRecvRes ?? '';
    f.screenSendResolutionActual = r.screenSendRes ?? '';
    f.screenRecvResolutionActual = r.screenRecvRes ?? '';

    const reported = r.lossUp !== undefined || r.rtt !== undefined;
    const quality = measured || reported ? qualityLevel({ lossPercent: loss, rttMs: rtt, availableSendBitrate: r.availableSend }) : 0;
    return { figures: f, quality };
  }

  private upstreamLoss(downKey: string): number {
    const from = this.rates.get(downKey)?.fromKey;
    return (from && this.rates.get(from)?.lossPercent) || 0;
  }
}
