import type { MediaStreamTrack, RTCRtpTransceiver, RtpPacket } from 'werift';
import { KeyframeRequester } from './keyframe.js';
import { receiverTotals, type TrackCounters } from '../stats/track-counters.js';
import { kindOf, type Source } from './types.js';
import { audioLevelExtensionId, audioLevelOf, type AudioLevelListener } from './audio-level.js';

/** Where an upstream track's packets go: one subscriber's downstream slot. */
export interface RtpSink {
  deliver(packet: RtpPacket): void;
  /** Forwarding resumes after a pause: the sink's numbering must continue without a gap. */
  restart(): void;
}

/**
 * One track a participant publishes (a mid of their upstream connection) and the subscribers it fans
 * out to. Packets arrive once and are handed to every sink; each sink copies what it sends.
 */
export class UpstreamTrack {
  readonly kind: 'audio' | 'video';
  readonly mimeType: string;
  readonly clockRate: number;
  /** The negotiated payload type of the media codec (not RTX), what a local tap's SDP declares. */
  readonly payloadType: number;
  /** Audio channels of the codec (Opus: 2). */
  readonly channels: number | undefined;
  private readonly sinks = new Set<RtpSink>();
  private readonly keyframes: KeyframeRequester;
  private readonly disposers: Array<() => void> = [];
  private ssrc: number | undefined;
  private closed = false;
  packetsReceived = 0;
  /** Hears the audio level of each packet forwarded (the server's active speaker); set by the room. */
  onLevel: AudioLevelListener | undefined;
  /** The publisher's id of the audio-level extension (undefined: none, or a server-produced track). */
  private readonly levelId: number | undefined;
  /** Payload bytes of a server-produced track (a received one is counted by its transceiver). */
  private producedBytes = 0;

  constructor(
    readonly participantId: string,
    readonly mid: string,
    readonly source: Source,
    /** Undefined for a track the server itself produces (a phone caller's voice, src/sip): packets come through receive(). */
    readonly transceiver: RTCRtpTransceiver | undefined,
    private enabled: boolean,
    produced?: { mimeType: string; clockRate: number; payloadType: number; channels?: number },
  ) {
    this.kind = kindOf(source);
    const codec = transceiver ? transceiver.codecs.find((c) => c.name.toLowerCase() !== 'rtx') : produced;
    if (!codec) throw new Error(`mid ${mid} has no negotiated codec`);
    this.mimeType = codec.mimeType.toLowerCase();
    this.clockRate = codec.clockRate;
    this.payloadType = codec.payloadType;
    this.channels = codec.channels;
    this.keyframes = new KeyframeRequester(() => this.sendPli());
    this.levelId = transceiver && this.kind === 'audio' ? audioLevelExtensionId(transceiver) : undefined;
    if (!transceiver) return;
    for (const track of transceiver.receiver.tracks) this.listen(track);
    // A renegotiation may bring a new SSRC on the same mid; werift then adds a track to the receiver.
    this.disposers.push(transceiver.onTrack.subscribe((track) => this.listen(track)).unSubscribe);
  }

  /** One packet of a server-produced track, fanned out like a received one. */
  receive(packet: RtpPacket): void {
    if (this.closed) return;
    this.producedBytes += packet.payload.length;
    this.handle(packet);
  }

  get forwarding(): boolean {
    return this.enabled;
  }

  get sinkCount(): number {
    return this.sinks.size;
  }

  /** PLI/FIR from a subscriber, or a subscriber attaching: ask the publisher for a keyframe (rate-limited). */
  requestKeyframe(): void {
    if (this.kind === 'video') this.keyframes.request();
  }

  get keyframeRequestsSent(): number {
    return this.keyframes.sent;
  }

  /** What the SFU has received of this track so far (src/rtc/stats reads it each interval). */
  counters(): TrackCounters {
    return { key: `up:${this.participantId}:${this.mid}`, direction: 'up', participantId: this.participantId, source: this.source, kind: this.kind, ...(this.transceiver ? receiverTotals(this.transceiver.receiver) : { bytes: this.producedBytes, packets: this.packetsReceived, packetsLost: 0, jitterMs: undefined }) };
  }

  attach(sink: RtpSink): void {
    if (!this.closed) this.sinks.add(sink);
  }

  detach(sink: RtpSink): void {
    this.sinks.delete(sink);
  }

  /** Host mute and the participant's own mute: packets are dropped here, nobody renegotiates. */
  setForwarding(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (!enabled) return;
    for (const sink of this.sinks) sink.restart();
    this.requestKeyframe();
  }

  close(): void {
    this.closed = true;
    this.sinks.clear();
    this.keyframes.close();
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  private listen(track: MediaStreamTrack): void {
    const { unSubscribe } = track.onReceiveRtp.subscribe((packet) => this.handle(packet));
    this.disposers.push(unSubscribe);
  }

  private handle(packet: RtpPacket): void {
    this.ssrc = packet.header.ssrc;
    this.packetsReceived++;
    if (!this.enabled) return;
    if (this.onLevel && this.levelId !== undefined) {
      const level = audioLevelOf(packet, this.levelId);
      if (level >= 0) this.onLevel(this.participantId, level);
    }
    for (const sink of this.sinks) sink.deliver(packet);
  }

  private sendPli(): void {
    if (!this.transceiver) return;
    const ssrc = this.ssrc ?? this.transceiver.receiver.tracks[0]?.ssrc;
    if (ssrc === undefined || this.closed) return;
    void this.transceiver.receiver.sendRtcpPLI(ssrc);
  }
}
