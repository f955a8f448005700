import { isIP } from 'node:net';
import { G711_PAYLOAD_TYPE, type G711 } from './g711.js';

/** What vconf takes from a caller's SDP offer: where to send audio, in which law, and the DTMF payload type. */
export interface AudioOffer {
  address: string;
  port: number;
  law: G711;
  /** The law's payload type as offered (0 or 8). */
  payloadType: number;
  /** telephone-event/8000's payload type, when offered. */
  eventPayloadType: number | undefined;
  /** The offer's direction for the audio (a re-INVITE may put the call on hold). */
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  /** RTP/SAVP and friends are not supported (no SRTP yet). */
}

export type OfferVerdict = { ok: true; offer: AudioOffer } | { ok: false; why: string };

/**
 * Reads the first audio m-line of an offer. G.711 only (PCMU preferred, as the offer orders it);
 * a plain RTP/AVP profile only. Anything else is refused with the reason, for a 488.
 */
export function readOffer(sdp: string): OfferVerdict {
  const lines = sdp.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!lines[0]?.startsWith('v=0')) return { ok: false, why: 'not an SDP session description' };
  let sessionAddress: string | undefined;
  let sessionDirection: AudioOffer['direction'] | undefined;
  let media: { port: number; proto: string; formats: string[]; attrs: string[]; address?: string } | undefined;
  let inAudio = false;
  let seenMedia = false;
  for (const line of lines) {
    const [key, value] = [line[0], line.slice(2)];
    if (key === 'm') {
      seenMedia = true;
      if (media) {
        inAudio = false;
        continue;
      }
      const [kind, port, proto, ...formats] = value.split(/\s+/);
      inAudio = kind === 'audio' && Number(port) > 0;
      if (inAudio) media = { port: Number(port), proto: proto ?? '', formats, attrs: [] };
      continue;
    }
    if (key === 'c') {
      const address = value.split(/\s+/)[2]?.split('/')[0];
      if (!seenMedia) sessionAddress = address;
      else if (inAudio && media) media.address = address;
      continue;
    }
    if (key === 'a') {
      if (!seenMedia && /^(sendrecv|sendonly|recvonly|inactive)$/.test(value)) sessionDirection = value as AudioOffer['direction'];
      else if (inAudio && media) media.attrs.push(value);
    }
  }
  if (!media) return { ok: false, why: 'no audio stream offered' };
  if (media.proto.toUpperCase() !== 'RTP/AVP') return { ok: false, why: `profile ${media.proto} is not supported (plain RTP/AVP only, no SRTP)` };
  const address = media.address ?? sessionAddress;
  if (!address || !isIP(address)) return { ok: false, why: 'no usable connection address' };
  const names = new Map<number, string>();
  for (const a of media.attrs) {
    const m = /^rtpmap:(\d+)\s+([^/\s]+)\/(\d+)/.exec(a);
    if (m) names.set(Number(m[1]), `${m[2]!.toUpperCase()}/${m[3]}`);
  }
  const nameOf = (pt: number) => names.get(pt) ?? (pt === 0 ? 'PCMU/8000' : pt === 8 ? 'PCMA/8000' : undefined);
  let law: G711 | undefined;
  let payloadType = -1;
  let eventPayloadType: number | undefined;
  for (const f of media.formats) {
    const pt = Number(f);
    const name = nameOf(pt);
    if (!law && (name === 'PCMU/8000' || name === 'PCMA/8000')) {
      law = name.slice(0, 4) as G711;
      payloadType = pt;
    }
    if (name === 'TELEPHONE-EVENT/8000' && eventPayloadType === undefined) eventPayloadType = pt;
  }
  if (!law) return { ok: false, why: 'neither PCMU nor PCMA offered' };
  const direction = (media.attrs.find((a) => /^(sendrecv|sendonly|recvonly|inactive)$/.test(a)) as AudioOffer['direction'] | undefined) ?? sessionDirection ?? 'sendrecv';
  return { ok: true, offer: { address, port: media.port, law, payloadType, eventPayloadType, direction } };
}

const ANSWER_DIRECTION: Record<AudioOffer['direction'], AudioOffer['direction']> = { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' };

/** The answer: one law, telephone-event when offered, ptime 20; `version` increases with each new answer in the dialog. */
export function writeAnswer(offer: AudioOffer, local: { address: string; port: number; sessionId: string; version: number }): string {
  const family = local.address.includes(':') ? 'IP6' : 'IP4';
  const formats = [offer.payloadType, ...(offer.eventPayloadType !== undefined ? [offer.eventPayloadType] : [])];
  return [
    'v=0',
    `o=vconf ${local.sessionId} ${local.version} IN ${family} ${local.address}`,
    's=vconf',
    `c=IN ${family} ${local.address}`,
    't=0 0',
    `m=audio ${local.port} RTP/AVP ${formats.join(' ')}`,
    `a=rtpmap:${offer.payloadType} ${offer.law}/8000`,
    ...(offer.eventPayloadType !== undefined ? [`a=rtpmap:${offer.eventPayloadType} telephone-event/8000`, `a=fmtp:${offer.eventPayloadType} 0-15`] : []),
    'a=ptime:20',
    `a=${ANSWER_DIRECTION[offer.direction]}`,
    '',
  ].join('\r\n');
}

export { G711_PAYLOAD_TYPE };
