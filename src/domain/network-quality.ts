/**
 * How good a participant's connection is, from measured figures (src/rtc/stats): the level a tile
 * shows as bars and GetConfDetailData reports as networkQuality. Thresholds follow the usual
 * guidance for interactive media: a few percent of loss or a few hundred ms of round trip is
 * noticeable; ten percent or over half a second breaks conversation.
 */

/** 0 unknown (nothing measured yet), 1 poor, 2 fair, 3 good. */
export type QualityLevel = 0 | 1 | 2 | 3;

export interface QualityInputs {
  /** Percent of packets lost (0–100), the worse direction. */
  lossPercent: number | undefined;
  /** Round trip to the SFU in ms. */
  rttMs: number | undefined;
  /** What the browser's congestion control says it may send, bit/s (candidate pair availableOutgoingBitrate). */
  availableSendBitrate?: number | undefined;
}

export const POOR = { lossPercent: 10, rttMs: 600, availableSendBitrate: 150_000 } as const;
export const FAIR = { lossPercent: 3, rttMs: 300, availableSendBitrate: 400_000 } as const;

export function qualityLevel({ lossPercent, rttMs, availableSendBitrate }: QualityInputs): QualityLevel {
  if (lossPercent === undefined && rttMs === undefined) return 0;
  const loss = lossPercent ?? 0;
  const rtt = rttMs ?? 0;
  const room = availableSendBitrate ?? Number.POSITIVE_INFINITY;
  if (loss >= POOR.lossPercent || rtt >= POOR.rttMs || room < POOR.availableSendBitrate) return 1;
  if (loss >= FAIR.lossPercent || rtt >= FAIR.rttMs || room < FAIR.availableSendBitrate) return 2;
  return 3;
}

/** GetConfDetailData's networkQuality: the words for a level (the spec gives none; docs/statistics.md). */
export const QUALITY_WORDS: Record<QualityLevel, string> = { 0: 'unknown', 1: 'poor', 2: 'fair', 3: 'good' };
