import type { RtpSink } from './upstream-track.js';
import { KeyframeRequester } from './keyframe.js';

/** Until a layer's own rate is measured, what each simulcast layer (lowest first) is expected to cost, bps. */
const DEFAULT_BITRATES = [150_000, 450_000, 1_000_000];
/** Until a keyframe shows its size, what each layer's height is taken to be. */
const DEFAULT_HEIGHTS = [180, 360, 720];
/** A layer with no packet for this long is paused (by the publisher, or its encoder dropped it). */
export const LAYER_IDLE_MS = 1_500;

/**
 * One encoding of a published track: a simulcast layer (its rid), or the only encoding of a track that
 * is not simulcast. It counts what arrives, knows its size from keyframes, and holds the sinks it feeds.
 */
export class SimulcastLayer {
  ssrc: number | undefined;
  packets = 0;
  bytes = 0;
  /** Sinks this layer's packets go to (an array: the hot path iterates it per packet). */
  sinks: RtpSink[] = [];
  /** Sinks moving onto this layer at its next keyframe. */
  pending: RtpSink[] = [];
  width: number | undefined;
  height: number | undefined;
  /** Smoothed rate while active; the last one measured once paused. */
  bitrate: number;
  active = false;
  private baseSeq = 0;
  private maxSeq = -1;
  private seqCycles = 0;
  private sampledBytes = 0;
  private sampledPackets = 0;
  private sampledAt = 0;
  private lastPacketAt = -Infinity;
  readonly keyframes: KeyframeRequester;

  constructor(
    readonly index: number,
    readonly rid: string | undefined,
    sendPli: (ssrc: number) => void,
  ) {
    this.bitrate = DEFAULT_BITRATES[Math.min(index, DEFAULT_BITRATES.length - 1)]!;
    this.keyframes = new KeyframeRequester(() => {
      if (this.ssrc !== undefined) sendPli(this.ssrc);
    });
  }

  /** Notes a packet's sequence number (RFC 3550's extended highest sequence number, for `lost`). */
  noteSequence(seq: number): void {
    if (this.maxSeq < 0) {
      this.baseSeq = seq;
      this.maxSeq = seq;
      return;
    }
    const ahead = (seq - this.maxSeq + 0x10000) & 0xffff;
    if (ahead === 0 || ahead >= 0x8000) return;
    if (seq < this.maxSeq) this.seqCycles += 0x10000;
    this.maxSeq = seq;
  }

  /** Packets that never arrived: expected from the sequence numbers, less those received. */
  get lost(): number {
    if (this.maxSeq < 0) return 0;
    return Math.max(0, this.seqCycles + this.maxSeq - this.baseSeq + 1 - this.packets);
  }

  /** Height used to match tiles: measured, else the default of the layer's place. */
  get nominalHeight(): number {
    return this.height ?? DEFAULT_HEIGHTS[Math.min(this.index, DEFAULT_HEIGHTS.length - 1)]!;
  }

  /** Samples counters; returns whether the layer turned active or idle. */
  sample(now: number): boolean {
    const wasActive = this.active;
    if (this.packets !== this.sampledPackets) this.lastPacketAt = now;
    this.active = now - this.lastPacketAt < LAYER_IDLE_MS;
    const elapsed = now - this.sampledAt;
    if (this.sampledAt > 0 && elapsed > 0 && this.packets !== this.sampledPackets) {
      const rate = ((this.bytes - this.sampledBytes) * 8 * 1000) / elapsed;
      // A layer costs what it may come back to, not its quietest moment: up quickly, down slowly (half in
      // about 10 s). An encoder held back by a busy CPU sent a 720p layer at 150 kbit/s for a while, a
      // slow viewer was given it, and motion or a keyframe then brought it back to 700.
      if (!wasActive) this.bitrate = rate;
      else this.bitrate = rate > this.bitrate ? this.bitrate * 0.5 + rate * 0.5 : this.bitrate * 0.97 + rate * 0.03;
    }
    this.sampledAt = now;
    this.sampledBytes = this.bytes;
    this.sampledPackets = this.packets;
    return wasActive !== this.active;
  }
}
