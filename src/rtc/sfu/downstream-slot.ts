import type { RTCRtpTransceiver, RtpPacket } from 'werift';
import { SequenceRewriter } from './rtp-forward.js';
import { sendForwarded } from './rtp-send.js';
import type { ForwardTally } from './types.js';
import { senderTotals, type TrackCounters } from '../stats/track-counters.js';
import { NO_LAYER, TOP_LAYER, type RtpSink, type UpstreamTrack } from './upstream-track.js';

/**
 * One m-section of a subscriber's downstream connection. It carries one upstream track at a time;
 * when that track goes away the m-section turns inactive and may later carry another track of the
 * same kind and codec, so a long meeting does not grow the SDP without bound.
 */
export class DownstreamSlot implements RtpSink {
  source: UpstreamTrack | undefined;
  private attached = false;
  private readonly rewriter: SequenceRewriter;
  packetsSent = 0;
  /** Payload bytes sent, for the subscriber's send rate (its bandwidth allocation). */
  bytesSent = 0;
  /** The simulcast layer this slot should carry (src/rtc/sfu/layer-allocation.ts decides). */
  private desired = TOP_LAYER;

  constructor(
    readonly transceiver: RTCRtpTransceiver,
    readonly kind: 'audio' | 'video',
    readonly mimeType: string,
    clockRate: number,
    /** Shared by every slot of the SFU (metrics). */
    private readonly tally: ForwardTally = { packets: 0, payloadBytes: 0 },
  ) {
    this.rewriter = new SequenceRewriter(clockRate);
  }

  get live(): boolean {
    return this.attached;
  }

  get ssrc(): number {
    return this.transceiver.sender.ssrc;
  }

  /** What this subscriber has been sent of its current track, and what it reported back; undefined when idle. */
  counters(subscriberId: string): TrackCounters | undefined {
    if (!this.source || !this.attached) return undefined;
    const { participantId, mid } = this.source;
    const key = `down:${subscriberId}:${this.transceiver.sender.ssrc}:${participantId}:${mid}`;
    const fromKey = `up:${participantId}:${mid}`;
    return { key, direction: 'down', participantId: subscriberId, source: this.source.source, kind: this.kind, fromKey, ...senderTotals(this.transceiver.sender) };
  }

  /** Assigns the track this slot will carry once the subscriber has answered. */
  bind(track: UpstreamTrack, desired = TOP_LAYER): void {
    this.unbind();
    this.source = track;
    this.desired = desired;
    this.rewriter.restart(track.clockRate);
  }

  /** The layer to carry from now on (NO_LAYER pauses this slot's video); the switch waits for a keyframe. */
  want(layer: number): void {
    this.desired = layer;
    if (this.source && this.attached) this.source.want(this, layer);
  }

  /** The layer being forwarded now (NO_LAYER: none). */
  get layer(): number {
    return this.source && this.attached ? this.source.layerOf(this) : NO_LAYER;
  }

  get wantedLayer(): number {
    return this.desired;
  }

  unbind(): void {
    if (this.source && this.attached) this.source.detach(this);
    this.source = undefined;
    this.attached = false;
  }

  /** Starts forwarding; returns whether this call attached it. */
  attach(): boolean {
    if (!this.source || this.attached) return false;
    this.source.attach(this, this.desired);
    this.attached = true;
    return true;
  }

  deliver(packet: RtpPacket): void {
    const { sequenceNumber, timestamp } = this.rewriter.map(packet.header, performance.now());
    this.packetsSent++;
    this.bytesSent += packet.payload.length;
    this.tally.packets++;
    this.tally.payloadBytes += packet.payload.length;
    sendForwarded(this.transceiver.sender, packet, sequenceNumber, timestamp);
  }

  restart(): void {
    this.rewriter.restart();
  }
}
