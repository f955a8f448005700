import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, type RTCRtpTransceiver } from 'werift';
import type { Publisher } from './publisher.js';

/** What a camera's three layers need together (¼ + ½ + full size), bps. */
const CAMERA_BPS = 1_700_000;
const SCREEN_BPS = 1_500_000;

/** REMB's bitrate field: an 18-bit mantissa and a 6-bit exponent. */
export function rembFields(bps: number): { brExp: number; brMantissa: number } {
  let brMantissa = Math.max(0, Math.floor(bps));
  let brExp = 0;
  while (brMantissa >= 1 << 18) {
    brMantissa = Math.floor(brMantissa / 2);
    brExp++;
  }
  return { brExp, brMantissa };
}

/**
 * Tells a publisher's browser how much it may send (REMB). Without any bandwidth feedback Chromium
 * stays near its 300 kbps start and never reaches a camera's top layer; a REMB in its first seconds
 * lets it start at this rate. Its own loss-based control still backs off when the uplink drops packets.
 */
export function sendUpstreamRate(publisher: Publisher): void {
  let bps = 0;
  const ssrcs: number[] = [];
  let transceiver: RTCRtpTransceiver | undefined;
  for (const track of publisher.tracks.values()) {
    if (track.kind !== 'video' || !track.transceiver) continue;
    transceiver ??= track.transceiver;
    bps += track.source === 'screen' ? SCREEN_BPS : CAMERA_BPS;
    for (const layer of track.layers) if (layer.ssrc !== undefined) ssrcs.push(layer.ssrc);
  }
  if (!transceiver || ssrcs.length === 0) return;
  const receiver = transceiver.receiver;
  if (receiver.dtlsTransport.state !== 'connected') return;
  const remb = new ReceiverEstimatedMaxBitrate({ senderSsrc: receiver.rtcpSsrc, mediaSsrc: 0, ssrcNum: ssrcs.length, ssrcFeedbacks: ssrcs, ...rembFields(bps) });
  void receiver.dtlsTransport.sendRtcp([new RtcpPayloadSpecificFeedback({ feedback: remb })]).catch(() => undefined);
}
