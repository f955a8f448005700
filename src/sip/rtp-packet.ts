/** The fixed RTP header (RFC 3550 §5.1) as the phone leg reads and writes it; no extensions are sent. */
export interface RtpHeaderFields {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

/** The header and payload of an RTP datagram, or undefined when it is not RTP version 2. */
export function parseRtp(datagram: Buffer): { header: RtpHeaderFields; payload: Buffer } | undefined {
  if (datagram.length < 12 || datagram[0]! >> 6 !== 2) return undefined;
  const csrcCount = datagram[0]! & 0x0f;
  let offset = 12 + 4 * csrcCount;
  if (datagram[0]! & 0x10) {
    if (datagram.length < offset + 4) return undefined;
    offset += 4 + 4 * datagram.readUInt16BE(offset + 2);
  }
  let end = datagram.length;
  if (datagram[0]! & 0x20) end -= datagram[datagram.length - 1]!;
  if (offset > end) return undefined;
  return {
    header: {
      payloadType: datagram[1]! & 0x7f,
      marker: (datagram[1]! & 0x80) !== 0,
      sequenceNumber: datagram.readUInt16BE(2),
      timestamp: datagram.readUInt32BE(4),
      ssrc: datagram.readUInt32BE(8),
    },
    payload: datagram.subarray(offset, end),
  };
}

export function buildRtp(h: RtpHeaderFields, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(12 + payload.length);
  out[0] = 0x80;
  out[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  out.writeUInt16BE(h.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(h.timestamp >>> 0, 4);
  out.writeUInt32BE(h.ssrc >>> 0, 8);
  out.set(payload, 12);
  return out;
}
