import { RTP_EXTENSION_URI, type RTCRtpTransceiver, type RtpPacket } from 'werift';

/** Hears the level of each forwarded microphone packet (RFC 6464: 0 loudest … 127 silence, -dBov). */
export type AudioLevelListener = (participantId: string, dbov: number) => void;

/** The id the publisher chose for the RFC 6464 audio-level extension on this m-section; undefined when not negotiated. */
export function audioLevelExtensionId(transceiver: RTCRtpTransceiver): number | undefined {
  return transceiver.headerExtensions.find((e) => e.uri === RTP_EXTENSION_URI.audioLevelIndication)?.id;
}

/**
 * The packet's audio level, or -1 when it carries none. Runs per packet: a loop over the few
 * extensions werift already split out, no allocation. The level is the low 7 bits (the top bit is
 * the voice-activity flag, which Chromium does not set reliably, so it is ignored).
 */
export function audioLevelOf(packet: RtpPacket, id: number): number {
  const extensions = packet.header.extensions;
  for (let i = 0; i < extensions.length; i++) {
    const ext = extensions[i]!;
    if (ext.id === id) return ext.payload.length > 0 ? ext.payload[0]! & 0x7f : -1;
  }
  return -1;
}

/** The RFC 6464 level of a frame of 16-bit PCM (a phone caller's voice): its RMS in -dBov, 0…127. */
export function pcmAudioLevel(pcm: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  if (sum === 0 || pcm.length === 0) return 127;
  const db = 10 * Math.log10(sum / pcm.length / (32768 * 32768));
  return Math.min(127, Math.max(0, Math.round(-db)));
}
