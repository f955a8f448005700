import type { RTCRtpTransceiver, RtpPacket } from 'werift';
import { SequenceRewriter } from './rtp-forward.js';
import { sendForwarded } from './rtp-send.js';
import type { ForwardTally } from './types.js';
import { senderTotals, type TrackCounters } from '../stats/track-counters.js';
import type { RtpSink, UpstreamTrack } from './upstream-track.js';

const noop = (): void => undefined;

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
  bind(track: UpstreamTrack): void {
    this.unbind();
    this.source = track;
    this.rewriter.restart(track.clockRate);
  }

  unbind(): void {
    if (this.source && this.attached) this.source.detach(this);
    this.source = undefined;
    this.attached = false;
  }

  /** Starts forwarding; returns whether this call attached it. */
  attach(): boolean {
    if (!this.source || this.attached) return false;
    this.source.attach(this);
    this.attached = true;
    return true;
  }

  deliver(packet: RtpPacket): void {
    const { sequenceNumber, timestamp } = this.rewriter.map(packet.header, performance.now());
    this.packetsSent++;
    this.tally.packets++;
    this.tally.payloadBytes += packet.payload.length;
    sendForwarded(this.transceiver.sender, packet, sequenceNumber, timestamp);
  }

  restart(): void {
    this.rewriter.restart();
  }
}
