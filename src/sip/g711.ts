import alawmulaw from 'alawmulaw';

/** The two G.711 laws vconf answers with (RFC 3551 static payload types 0 and 8). */
export type G711 = 'PCMU' | 'PCMA';

export const G711_PAYLOAD_TYPE: Record<G711, number> = { PCMU: 0, PCMA: 8 };

/** 20 ms at 8 kHz: the frame every part of the phone path works in. */
export const FRAME_SAMPLES = 160;
export const SAMPLE_RATE = 8000;

const { alaw, mulaw } = alawmulaw;

export function decodeG711(law: G711, payload: Uint8Array): Int16Array {
  return law === 'PCMU' ? mulaw.decode(payload) : alaw.decode(payload);
}

export function encodeG711(law: G711, pcm: Int16Array): Uint8Array {
  return law === 'PCMU' ? mulaw.encode(pcm) : alaw.encode(pcm);
}
