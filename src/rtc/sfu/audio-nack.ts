import type { RTCPeerConnection } from 'werift';

/**
 * Keeps audio NACK in every downstream offer. Chromium asks again for lost Opus packets when the
 * *offer* lists `a=rtcp-fb:<opus> nack`, but its answer never echoes that line; werift then offers the
 * answer's codecs on the next renegotiation, so after the first newcomer or departure the page
 * would stop NACKing audio (measured: 5% downlink loss concealed 3.4% instead of 0.4%). Called after
 * each answer, it puts the configured audio feedback back on the negotiated codecs.
 */
export function keepAudioFeedback(pc: RTCPeerConnection): void {
  const configured = pc.config.codecs.audio ?? [];
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.kind !== 'audio') continue;
    for (const codec of transceiver.codecs) {
      const wanted = configured.find((c) => c.mimeType.toLowerCase() === codec.mimeType.toLowerCase())?.rtcpFeedback ?? [];
      for (const fb of wanted) {
        if (!codec.rtcpFeedback.some((have) => have.type === fb.type && have.parameter === fb.parameter)) codec.rtcpFeedback.push({ ...fb });
      }
    }
  }
}
