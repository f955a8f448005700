/**
 * What the SFU needs to know about video payloads without decoding them: whether a packet starts a
 * keyframe (a subscriber may only switch simulcast layers there) and, for VP8, the keyframe's size.
 * Layouts: VP8 payload descriptor and frame header (RFC 7741, RFC 6386 §9.1); H.264 NAL units,
 * STAP-A and FU-A (RFC 6184).
 */

/** Offset of the VP8 payload header after the descriptor, or -1 when the packet does not start a frame. */
function vp8FrameStart(p: Uint8Array): number {
  if (p.length < 1) return -1;
  const b0 = p[0]!;
  // S (start of partition) with partition index 0.
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return -1;
  let i = 1;
  if (b0 & 0x80) {
    if (p.length < 2) return -1;
    const x = p[1]!;
    i = 2;
    if (x & 0x80) i += p.length > i && p[i]! & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) i += 1; // TL0PICIDX
    if (x & 0x30) i += 1; // TID / KEYIDX
  }
  return i < p.length ? i : -1;
}

function vp8IsKeyframeStart(p: Uint8Array): boolean {
  const at = vp8FrameStart(p);
  // P bit of the frame tag: 0 = key frame.
  return at >= 0 && (p[at]! & 0x01) === 0;
}

/** Width and height of a VP8 keyframe starting in this packet, or undefined. */
export function vp8KeyframeSize(p: Uint8Array): { width: number; height: number } | undefined {
  const at = vp8FrameStart(p);
  if (at < 0 || (p[at]! & 0x01) !== 0 || p.length < at + 10) return undefined;
  // 3-byte frame tag, then the start code 9d 01 2a, then 14-bit width and height (2 scale bits each).
  if (p[at + 3] !== 0x9d || p[at + 4] !== 0x01 || p[at + 5] !== 0x2a) return undefined;
  const width = (p[at + 6]! | (p[at + 7]! << 8)) & 0x3fff;
  const height = (p[at + 8]! | (p[at + 9]! << 8)) & 0x3fff;
  return { width, height };
}

const H264_IDR = 5;
const H264_SPS = 7;

function h264IsKeyframeStart(p: Uint8Array): boolean {
  if (p.length < 2) return false;
  const type = p[0]! & 0x1f;
  if (type === H264_IDR || type === H264_SPS) return true;
  if (type === 24) {
    // STAP-A: 16-bit size, then the NAL unit, repeated.
    for (let i = 1; i + 2 < p.length; ) {
      const size = (p[i]! << 8) | p[i + 1]!;
      const nal = p[i + 2]! & 0x1f;
      if (nal === H264_IDR || nal === H264_SPS) return true;
      i += 2 + size;
    }
    return false;
  }
  if (type === 28) {
    const fu = p[1]!;
    const nal = fu & 0x1f;
    return (fu & 0x80) !== 0 && (nal === H264_IDR || nal === H264_SPS);
  }
  return false;
}

/** Whether this RTP payload is the first packet of a keyframe (false for codecs the SFU cannot read). */
export function isKeyframeStart(mimeType: string, payload: Uint8Array): boolean {
  if (mimeType === 'video/vp8') return vp8IsKeyframeStart(payload);
  if (mimeType === 'video/h264') return h264IsKeyframeStart(payload);
  return false;
}
