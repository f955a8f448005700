import type { QualityLevel } from './network-quality.js';

/**
 * One participant's media figures over one statistics interval (src/rtc/stats/room-stats.ts):
 * what the SFU measured on their tracks (RTCP) merged with what their browser reported
 * (getStats). Numbers here; the operations turn them into the spec's strings.
 */
export interface MetricSample {
  conferenceId: string;
  /** The participant (member record) the sample is about. */
  memberId: string;
  /** Null for guests who joined without a directory identity. */
  unionId: string | null;
  /** End of the interval, ms since the epoch. */
  at: number;
  quality: QualityLevel;
  figures: MetricFigures;
}

/** Bit rates in bit/s, times in ms, loss in percent, levels 0–100, resolutions "WxH" ("" when none). */
export interface MetricFigures {
  sendBitRate: number;
  recvBitRate: number;
  audioSendBitRate: number;
  audioRecvBitRate: number;
  cameraSendBitRate: number;
  cameraRecvBitRate: number;
  screenSendBitRate: number;
  screenRecvBitRate: number;
  lostRate: number;
  roundTripTime: number;
  audioJitterAvg: number;
  audioJitterMax: number;
  audioRecLevel: number;
  audioPlayLevel: number;
  cameraSendFrame: number;
  cameraRecvFrame: number;
  screenSendFrame: number;
  screenRecvFrame: number;
  cameraSendResolutionActual: string;
  cameraRecvResolutionActual: string;
  screenSendResolutionActual: string;
  screenRecvResolutionActual: string;
}

export const METRIC_FIELDS: ReadonlyArray<keyof MetricFigures> = [
  'sendBitRate',
  'recvBitRate',
  'audioSendBitRate',
  'audioRecvBitRate',
  'cameraSendBitRate',
  'cameraRecvBitRate',
  'screenSendBitRate',
  'screenRecvBitRate',
  'lostRate',
  'roundTripTime',
  'audioJitterAvg',
  'audioJitterMax',
  'audioRecLevel',
  'audioPlayLevel',
  'cameraSendFrame',
  'cameraRecvFrame',
  'screenSendFrame',
  'screenRecvFrame',
  'cameraSendResolutionActual',
  'cameraRecvResolutionActual',
  'screenSendResolutionActual',
  'screenRecvResolutionActual',
];

export function emptyFigures(): MetricFigures {
  return {
    sendBitRate: 0,
    recvBitRate: 0,
    audioSendBitRate: 0,
    audioRecvBitRate: 0,
    cameraSendBitRate: 0,
    cameraRecvBitRate: 0,
    screenSendBitRate: 0,
    screenRecvBitRate: 0,
    lostRate: 0,
    roundTripTime: 0,
    audioJitterAvg: 0,
    audioJitterMax: 0,
    audioRecLevel: 0,
    audioPlayLevel: 0,
    cameraSendFrame: 0,
    cameraRecvFrame: 0,
    screenSendFrame: 0,
    screenRecvFrame: 0,
    cameraSendResolutionActual: '',
    cameraRecvResolutionActual: '',
    screenSendResolutionActual: '',
    screenRecvResolutionActual: '',
  };
}

/** The spec's metric record: every figure as a string (integers, loss with two decimals). */
export function metricStrings(f: MetricFigures): Record<keyof MetricFigures, string> {
  const out = {} as Record<keyof MetricFigures, string>;
  for (const key of METRIC_FIELDS) {
    const value = f[key];
    out[key] = typeof value === 'string' ? value : key === 'lostRate' ? value.toFixed(2) : String(Math.round(value));
  }
  return out;
}
