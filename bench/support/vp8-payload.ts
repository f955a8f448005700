/**
 * VP8 RTP payloads shaped like a browser's (RFC 7741): a payload descriptor with a 15-bit picture
 * ID, and on a frame's first packet the VP8 frame tag — for a keyframe with the start code and the
 * frame size — so an SFU that parses VP8 to switch simulcast layers on keyframes (vconf, Janus) can.
 * The rest is a fill pattern; nothing here decodes.
 */

export interface Vp8PacketSpec {
  /** 15-bit picture ID, the same for every packet of a frame. */
  pictureId: number;
  /** The frame's first packet (S bit, partition 0, frame tag). */
  first: boolean;
  keyframe: boolean;
  width: number;
  height: number;
  /** Total payload size in bytes (at least the headers). */
  size: number;
}

const DESCRIPTOR_BYTES = 4;
const TAG_BYTES = 3;
const KEYFRAME_HEADER_BYTES = 7;

export function vp8Packet(spec: Vp8PacketSpec): Buffer {
  const headers = DESCRIPTOR_BYTES + (spec.first ? TAG_BYTES + (spec.keyframe ? KEYFRAME_HEADER_BYTES : 0) : 0);
  const payload = Buffer.alloc(Math.max(spec.size, headers + 1));
  // X (extension present), S on a frame's first packet, partition index 0.
  payload[0] = 0x80 | (spec.first ? 0x10 : 0);
  payload[1] = 0x80; // I: picture ID present
  payload.writeUInt16BE(0x8000 | (spec.pictureId & 0x7fff), 2); // M: 15-bit picture ID
  let at = DESCRIPTOR_BYTES;
  if (spec.first) {
    // Frame tag: P bit (0 = keyframe), version 0, show_frame 1, first partition size 0.
    payload[at++] = (spec.keyframe ? 0 : 1) | 0x10;
    payload[at++] = 0;
    payload[at++] = 0;
    if (spec.keyframe) {
      payload[at++] = 0x9d;
      payload[at++] = 0x01;
      payload[at++] = 0x2a;
      payload.writeUInt16LE(spec.width & 0x3fff, at);
      payload.writeUInt16LE(spec.height & 0x3fff, at + 2);
      at += 4;
    }
  }
  for (let i = at; i < payload.length; i++) payload[i] = (spec.pictureId + i) & 0xff;
  return payload;
}

export interface Vp8Info {
  pictureId: number | undefined;
  first: boolean;
  keyframe: boolean;
  width?: number;
  height?: number;
}

/** Reads what vp8Packet() writes (and any RFC 7741 descriptor); undefined if too short. */
export function parseVp8(payload: Buffer): Vp8Info | undefined {
  if (payload.length < 1) return undefined;
  let at = 1;
  let pictureId: number | undefined;
  const b0 = payload[0]!;
  if (b0 & 0x80) {
    const x = payload[at++];
    if (x === undefined) return undefined;
    if (x & 0x80) {
      const p = payload[at];
      if (p === undefined) return undefined;
      if (p & 0x80) {
        if (payload.length < at + 2) return undefined;
        pictureId = payload.readUInt16BE(at) & 0x7fff;
        at += 2;
      } else {
        pictureId = p & 0x7f;
        at += 1;
      }
    }
    if (x & 0x40) at++; // TL0PICIDX
    if (x & 0x30) at++; // TID / KEYIDX
  }
  const first = (b0 & 0x10) !== 0 && (b0 & 0x0f) === 0;
  if (!first || payload.length < at + 3) return { pictureId, first, keyframe: false };
  const keyframe = (payload[at]! & 1) === 0;
  if (!keyframe) return { pictureId, first, keyframe };
  at += 3;
  if (payload.length < at + 7 || payload[at] !== 0x9d || payload[at + 1] !== 0x01 || payload[at + 2] !== 0x2a) {
    return { pictureId, first, keyframe: false };
  }
  return { pictureId, first, keyframe, width: payload.readUInt16LE(at + 3) & 0x3fff, height: payload.readUInt16LE(at + 5) & 0x3fff };
}
