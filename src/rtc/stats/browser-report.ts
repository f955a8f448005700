/**
 * What a page measures with getStats() and sends every few seconds (`stats` frame,
 * docs/room-protocol.md): rates over its last interval, not totals. Every field is optional — a
 * page sends what its browser knows. Bit rates in bit/s, times in ms, loss in percent, levels 0–1.
 */
export interface BrowserReport {
  audioSend?: number;
  audioRecv?: number;
  cameraSend?: number;
  cameraRecv?: number;
  screenSend?: number;
  screenRecv?: number;
  /** "WxH" of the camera/screen it sends, and of the largest it receives. */
  cameraSendRes?: string;
  cameraRecvRes?: string;
  screenSendRes?: string;
  screenRecvRes?: string;
  cameraSendFps?: number;
  cameraRecvFps?: number;
  screenSendFps?: number;
  screenRecvFps?: number;
  /** Round trip of its connection to the SFU (the selected candidate pair). */
  rtt?: number;
  /** Loss of what it sends, as the SFU's receiver reports tell it. */
  lossUp?: number;
  /** Loss of what it receives. */
  lossDown?: number;
  jitter?: number;
  micLevel?: number;
  playLevel?: number;
  /** What its congestion control lets it send (availableOutgoingBitrate). */
  availableSend?: number;
}

const rate = { type: 'number', minimum: 0, maximum: 1e10 };
const res = { type: 'string', maxLength: 16, pattern: '^([0-9]{1,5}x[0-9]{1,5})?$' };
const fps = { type: 'number', minimum: 0, maximum: 1000 };
const ms = { type: 'number', minimum: 0, maximum: 600_000 };
const percent = { type: 'number', minimum: 0, maximum: 100 };
const level = { type: 'number', minimum: 0, maximum: 1 };

/** JSON Schema properties of a `stats` frame (besides `type`). */
export const browserReportProperties: Record<keyof BrowserReport, object> = {
  audioSend: rate,
  audioRecv: rate,
  cameraSend: rate,
  cameraRecv: rate,
  screenSend: rate,
  screenRecv: rate,
  cameraSendRes: res,
  cameraRecvRes: res,
  screenSendRes: res,
  screenRecvRes: res,
  cameraSendFps: fps,
  cameraRecvFps: fps,
  screenSendFps: fps,
  screenRecvFps: fps,
  rtt: ms,
  lossUp: percent,
  lossDown: percent,
  jitter: ms,
  micLevel: level,
  playLevel: level,
  availableSend: rate,
};
