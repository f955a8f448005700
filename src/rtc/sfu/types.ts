import type { RemoteTrackInfo, Source } from '../../protocol/room.js';

/** Shapes shared between the SFU and the signaling layer come from the room protocol (docs/room-protocol.md, "Media"). */
export type { PublishedTrack, Source } from '../../protocol/room.js';

/** One downstream m-section: which participant's which source arrives on `mid`. */
export type DownstreamTrack = RemoteTrackInfo;

/**
 * Running totals of what the SFU has sent downstream: plain numbers bumped in the forwarding path
 * (no allocation per packet) and read when metrics are scraped.
 */
export interface ForwardTally {
  packets: number;
  /** RTP payload bytes (headers are rewritten per subscriber and not counted). */
  payloadBytes: number;
}

/** Minimal logger (pino-compatible) so the SFU can report trouble without owning a logger. */
export interface SfuLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** A request the SFU refuses (unknown participant, a `publish` that does not match its SDP, …). */
export class SfuError extends Error {
  override name = 'SfuError';
}

export function kindOf(source: Source): 'audio' | 'video' {
  return source === 'mic' ? 'audio' : 'video';
}

/** The SFU has no media port for this participant: the meeting is at its share, or the server is full. */
export class SfuCapacityError extends SfuError {
  override name = 'SfuCapacityError';
}
