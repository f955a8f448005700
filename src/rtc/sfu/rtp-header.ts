import { RTP_EXTENSION_URI } from 'werift';

/**
 * RTP headers of forwarded packets, written straight into the datagram (RFC 3550 §5.1, one-byte
 * header extensions of RFC 8285). The extension block of one sender is the same on every packet
 * except the send time (and a transport-wide sequence number, if one was negotiated), so it is laid
 * out once per sender and copied, with those values patched in.
 */

/** The extension block one sender puts on every packet. */
export interface ExtensionPlan {
  /** Profile, length and elements as sent, zero-padded to 32 bits; empty when nothing is written. */
  readonly block: Buffer;
  /** Offset in `block` of the 3-byte abs-send-time value, or -1. */
  readonly absSendTime: number;
  /** Offset in `block` of the 2-byte transport-wide sequence number, or -1. */
  readonly transportSeq: number;
}

/** What the sender knows of itself that the constant extensions carry. */
export interface ExtensionValues {
  mid?: string | undefined;
  rtpStreamId?: string | undefined;
  repairedRtpStreamId?: string | undefined;
}

const ONE_BYTE_PROFILE = 0xbede;
const NO_EXTENSIONS: ExtensionPlan = { block: Buffer.alloc(0), absSendTime: -1, transportSeq: -1 };

/**
 * The extensions werift's own sender would write for the negotiated list (mid, the stream ids when the
 * sender has them, abs-send-time, transport-wide-cc; others it knows nothing to say about), in id
 * order. Undefined when they do not fit the one-byte form (an id above 14 or a value over 16 bytes).
 */
export function planExtensions(negotiated: ReadonlyArray<{ id: number; uri: string }>, values: ExtensionValues): ExtensionPlan | undefined {
  const elements: Array<{ id: number; value: Buffer; kind: 'fixed' | 'abs' | 'twcc' }> = [];
  for (const { id, uri } of negotiated) {
    switch (uri) {
      case RTP_EXTENSION_URI.sdesMid:
        if (values.mid) elements.push({ id, value: Buffer.from(values.mid), kind: 'fixed' });
        break;
      case RTP_EXTENSION_URI.sdesRTPStreamID:
        if (values.rtpStreamId) elements.push({ id, value: Buffer.from(values.rtpStreamId), kind: 'fixed' });
        break;
      case RTP_EXTENSION_URI.repairedRtpStreamId:
        if (values.repairedRtpStreamId) elements.push({ id, value: Buffer.from(values.repairedRtpStreamId), kind: 'fixed' });
        break;
      case RTP_EXTENSION_URI.absSendTime:
        elements.push({ id, value: Buffer.alloc(3), kind: 'abs' });
        break;
      case RTP_EXTENSION_URI.transportWideCC:
        elements.push({ id, value: Buffer.alloc(2), kind: 'twcc' });
        break;
    }
  }
  if (elements.length === 0) return NO_EXTENSIONS;
  if (elements.some((e) => e.id < 1 || e.id > 14 || e.value.length < 1 || e.value.length > 16)) return undefined;
  elements.sort((a, b) => a.id - b.id);
  const dataLength = elements.reduce((n, e) => n + 1 + e.value.length, 0);
  const block = Buffer.alloc(4 + Math.ceil(dataLength / 4) * 4);
  block.writeUInt16BE(ONE_BYTE_PROFILE, 0);
  block.writeUInt16BE((block.length - 4) / 4, 2);
  let at = 4;
  let absSendTime = -1;
  let transportSeq = -1;
  for (const e of elements) {
    block[at++] = (e.id << 4) | (e.value.length - 1);
    if (e.kind === 'abs') absSendTime = at;
    if (e.kind === 'twcc') transportSeq = at;
    e.value.copy(block, at);
    at += e.value.length;
  }
  return { block, absSendTime, transportSeq };
}

/** Header length of a packet with `csrcCount` contributing sources under `plan`. */
export function headerLength(csrcCount: number, plan: ExtensionPlan): number {
  return 12 + 4 * csrcCount + plan.block.length;
}

/**
 * Writes the header at the start of `out` and returns its length. No padding bit: forwarded packets
 * carry their payload without the publisher's padding.
 */
export function writeRtpHeader(
  out: Buffer,
  marker: boolean,
  payloadType: number,
  sequenceNumber: number,
  timestamp: number,
  ssrc: number,
  csrc: readonly number[],
  plan: ExtensionPlan,
  absSendTime: number,
  transportSeq: number,
): number {
  const cc = csrc.length;
  const hasExtension = plan.block.length > 0;
  out[0] = 0x80 | (hasExtension ? 0x10 : 0) | cc;
  out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  out.writeUInt16BE(sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(timestamp >>> 0, 4);
  out.writeUInt32BE(ssrc >>> 0, 8);
  let at = 12;
  for (let i = 0; i < cc; i++, at += 4) out.writeUInt32BE(csrc[i]! >>> 0, at);
  if (!hasExtension) return at;
  plan.block.copy(out, at);
  if (plan.absSendTime >= 0) {
    const p = at + plan.absSendTime;
    out[p] = (absSendTime >>> 16) & 0xff;
    out[p + 1] = (absSendTime >>> 8) & 0xff;
    out[p + 2] = absSendTime & 0xff;
  }
  if (plan.transportSeq >= 0) out.writeUInt16BE(transportSeq & 0xffff, at + plan.transportSeq);
  return at + plan.block.length;
}

// Seconds from the NTP epoch (1900) to the Unix epoch.
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** abs-send-time of a moment (ms since the Unix epoch): NTP seconds in 6.18 fixed point, 24 bits. */
export function absSendTimeOf(epochMs: number): number {
  return Math.floor((epochMs / 1000 + NTP_UNIX_OFFSET_S) * 262_144) % 16_777_216;
}

/** 64-bit NTP timestamp (RFC 3550 §4) of a moment in ms since the Unix epoch, as RTCP sender reports carry it. */
export function ntpTimestampOf(epochMs: number): bigint {
  const seconds = epochMs / 1000 + NTP_UNIX_OFFSET_S;
  const whole = Math.floor(seconds);
  const fraction = Math.min(0xffffffff, Math.floor((seconds - whole) * 4_294_967_296));
  return (BigInt(whole) << 32n) | BigInt(fraction);
}
