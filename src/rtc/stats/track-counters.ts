import type { RTCRtpReceiver, RTCRtpSender } from 'werift';
import type { Source } from '../sfu/types.js';

/**
 * Running totals of one track as the SFU sees it, read from werift's RTCP bookkeeping at one
 * moment. `up`: a participant's published track arriving at the SFU (werift's receiver statistics:
 * bytes, sequence gaps, interarrival jitter). `down`: one track the SFU sends a subscriber, with what
 * the subscriber's receiver reports say about it (loss, and round trip from LSR/DLSR).
 */
export interface TrackCounters {
  /** Stable while the track lives: up:<participant>:<mid>, down:<subscriber>:<ssrc>. */
  key: string;
  direction: 'up' | 'down';
  /** The publisher (up) or the subscriber (down). */
  participantId: string;
  source: Source;
  kind: 'audio' | 'video';
  /** down: the key of the upstream track it carries (its losses arrive already lost). */
  fromKey?: string | undefined;
  bytes: number;
  packets: number;
  /** Cumulative packets lost: sequence gaps (up), or as the subscriber reports (down). */
  packetsLost: number;
  /** Interarrival jitter, ms (up). */
  jitterMs?: number | undefined;
  /** Fraction lost of the subscriber's last receiver report, 0–1 (down). */
  fractionLost?: number | undefined;
  /** Round trip SFU → subscriber → SFU, ms (down). */
  rttMs?: number | undefined;
}

type Stat = Record<string, unknown> & { type: string };

/** Upstream totals of a receiver over every SSRC it has had (a renegotiation may bring a new one). */
export function receiverTotals(receiver: RTCRtpReceiver): Pick<TrackCounters, 'bytes' | 'packets' | 'packetsLost' | 'jitterMs'> {
  let bytes = 0;
  let packets = 0;
  let packetsLost = 0;
  let jitter: number | undefined;
  for (const s of receiver.collectStats(0) as unknown as Stat[]) {
    if (s.type !== 'inbound-rtp') continue;
    bytes += num(s.bytesReceived);
    packets += num(s.packetsReceived);
    packetsLost += num(s.packetsLost);
    if (typeof s.jitter === 'number') jitter = Math.max(jitter ?? 0, s.jitter * 1000);
  }
  return { bytes, packets, packetsLost, jitterMs: jitter };
}

/** Downstream totals of a sender, and the subscriber's view of them from its receiver reports. */
export function senderTotals(sender: RTCRtpSender): Pick<TrackCounters, 'bytes' | 'packets' | 'packetsLost' | 'fractionLost' | 'rttMs'> {
  let bytes = 0;
  let packets = 0;
  let packetsLost = 0;
  let fractionLost: number | undefined;
  let rttMs: number | undefined;
  for (const s of sender.collectStats(0) as unknown as Stat[]) {
    if (s.type === 'outbound-rtp') {
      bytes += num(s.bytesSent);
      packets += num(s.packetsSent);
    } else if (s.type === 'remote-inbound-rtp') {
      packetsLost += num(s.packetsLost);
      if (typeof s.fractionLost === 'number') fractionLost = s.fractionLost;
      if (typeof s.roundTripTime === 'number') rttMs = s.roundTripTime * 1000;
    }
  }
  return { bytes, packets, packetsLost, fractionLost, rttMs };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
