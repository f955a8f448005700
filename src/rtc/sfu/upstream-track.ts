import type { MediaStreamTrack, RTCRtpTransceiver, RtpPacket } from 'werift';
import { receiverTotals, type TrackCounters } from '../stats/track-counters.js';
import { kindOf, type Source } from './types.js';
import { isKeyframeStart, vp8KeyframeSize } from './codec-frames.js';
import { SimulcastLayer } from './simulcast-layer.js';
import { audioLevelExtensionId, audioLevelOf, type AudioLevelListener } from './audio-level.js';

/** Where an upstream track's packets go: one subscriber's downstream slot, a recording's tap, … */
export interface RtpSink {
  deliver(packet: RtpPacket): void;
  /** Forwarding resumes after a pause: the sink's numbering must continue without a gap. */
  restart(): void;
}

/** The highest layer there is: what a sink that states no preference (a recording) gets. */
export const TOP_LAYER = Number.MAX_SAFE_INTEGER;
/** No layer: the sink stays registered but nothing is forwarded to it (its video is paused). */
export const NO_LAYER = -1;

interface SinkState {
  desired: number;
  current: number;
  pending: number;
}

/** What a subscriber's allocation knows of one layer. */
export interface LayerView {
  rid: string | undefined;
  bitrate: number;
  height: number;
  active: boolean;
}

/**
 * One track a participant publishes (a mid of their upstream connection) and the sinks it fans out to.
 * A camera may arrive as several simulcast layers (by rid, lowest first); each sink gets one layer,
 * chosen by whoever attached it, and moves to another only where that layer starts a keyframe, so the
 * subscriber's decoder never sees a frame that refers to a picture it was not sent.
 */
export class UpstreamTrack {
  readonly kind: 'audio' | 'video';
  readonly mimeType: string;
  readonly clockRate: number;
  /** The negotiated payload type of the media codec (not RTX), what a local tap's SDP declares. */
  readonly payloadType: number;
  /** Audio channels of the codec (Opus: 2). */
  readonly channels: number | undefined;
  /** Lowest first; one entry for a track that is not simulcast. */
  readonly layers: SimulcastLayer[];
  private readonly sinkStates = new Map<RtpSink, SinkState>();
  private readonly disposers: Array<() => void> = [];
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
    /** The simulcast rids the publisher offered for this mid, lowest first (empty: one plain encoding). */
    rids: readonly string[] = [],
  ) {
    this.kind = kindOf(source);
    const codec = transceiver ? transceiver.codecs.find((c) => c.name.toLowerCase() !== 'rtx') : produced;
    if (!codec) throw new Error(`mid ${mid} has no negotiated codec`);
    this.mimeType = codec.mimeType.toLowerCase();
    this.clockRate = codec.clockRate;
    this.payloadType = codec.payloadType;
    this.channels = codec.channels;
    const pli = (ssrc: number) => this.sendPli(ssrc);
    this.layers = rids.length > 0 ? rids.map((rid, i) => new SimulcastLayer(i, rid, pli)) : [new SimulcastLayer(0, undefined, pli)];
    this.levelId = transceiver && this.kind === 'audio' ? audioLevelExtensionId(transceiver) : undefined;
    if (!transceiver) return;
    for (const track of transceiver.receiver.tracks) this.listen(track);
    // A renegotiation may bring a new SSRC on the same mid, and each simulcast layer arrives as its own track.
    this.disposers.push(transceiver.onTrack.subscribe((track) => this.listen(track)).unSubscribe);
  }

  get simulcast(): boolean {
    return this.layers.length > 1;
  }

  /** One packet of a server-produced track (on one of its layers), fanned out like a received one. */
  receive(packet: RtpPacket, layer = 0): void {
    if (this.closed) return;
    this.producedBytes += packet.payload.length;
    this.handle(packet, this.layers[layer] ?? this.layers[0]!);
  }

  get forwarding(): boolean {
    return this.enabled;
  }

  get sinkCount(): number {
    return this.sinkStates.size;
  }

  /** PLI/FIR from a subscriber or a tap: a keyframe on every layer someone receives or waits for (rate-limited per layer). */
  requestKeyframe(): void {
    if (this.kind !== 'video') return;
    for (const layer of this.layers) if (layer.sinks.length > 0 || layer.pending.length > 0) layer.keyframes.request();
  }

  /** A keyframe on the layer this sink receives or is moving to. */
  requestKeyframeFor(sink: RtpSink): void {
    const state = this.sinkStates.get(sink);
    if (!state || this.kind !== 'video') return;
    const at = state.pending !== NO_LAYER ? state.pending : state.current;
    if (at !== NO_LAYER) this.layers[at]!.keyframes.request();
  }

  get keyframeRequestsSent(): number {
    return this.layers.reduce((n, l) => n + l.keyframes.sent, 0);
  }

  /** What the SFU has received of this track so far (src/rtc/stats reads it each interval). */
  counters(): TrackCounters {
    const base = { key: `up:${this.participantId}:${this.mid}`, direction: 'up' as const, participantId: this.participantId, source: this.source, kind: this.kind };
    if (!this.transceiver) return { ...base, bytes: this.producedBytes, packets: this.packetsReceived, packetsLost: 0, jitterMs: undefined };
    const totals = receiverTotals(this.transceiver.receiver);
    // werift keeps no receive statistics for tracks it knows by rid: the layers' own counts stand in.
    if (this.simulcast) return { ...base, ...totals, bytes: this.layers.reduce((n, l) => n + l.bytes, 0), packets: this.packetsReceived, packetsLost: this.layers.reduce((n, l) => n + l.lost, 0) };
    return { ...base, ...totals };
  }

  /** Starts feeding `sink` the layer closest to `desired` (TOP_LAYER: the best there is). */
  attach(sink: RtpSink, desired = TOP_LAYER): void {
    if (this.closed || this.sinkStates.has(sink)) return;
    this.sinkStates.set(sink, { desired, current: NO_LAYER, pending: NO_LAYER });
    this.resolve(sink);
  }

  detach(sink: RtpSink): void {
    const state = this.sinkStates.get(sink);
    if (!state) return;
    this.sinkStates.delete(sink);
    this.leave(sink, state.current, 'sinks');
    this.leave(sink, state.pending, 'pending');
  }

  /** The layer the sink should have (NO_LAYER: none); it moves there at that layer's next keyframe. */
  want(sink: RtpSink, desired: number): void {
    const state = this.sinkStates.get(sink);
    if (!state || state.desired === desired) return;
    state.desired = desired;
    this.resolve(sink);
  }

  /** The layer the sink receives now (NO_LAYER while none). */
  layerOf(sink: RtpSink): number {
    return this.sinkStates.get(sink)?.current ?? NO_LAYER;
  }

  /** The layers as an allocation sees them, lowest first. */
  layerViews(): LayerView[] {
    return this.layers.map((l) => ({ rid: l.rid, bitrate: l.bitrate, height: l.nominalHeight, active: l.active }));
  }

  /** Which layers some sink wants (clipped to the layers there are): the publisher may pause the others. */
  demand(): boolean[] {
    const wanted = this.layers.map(() => false);
    for (const { desired } of this.sinkStates.values()) {
      if (desired !== NO_LAYER) wanted[Math.min(desired, this.layers.length - 1)] = true;
    }
    return wanted;
  }

  /** Measures each layer's rate and activity; sinks follow layers that paused or came back. */
  sample(now: number): void {
    let changed = false;
    for (const layer of this.layers) if (layer.sample(now)) changed = true;
    if (changed) for (const sink of this.sinkStates.keys()) this.resolve(sink);
  }

  /** Host mute and the participant's own mute: packets are dropped here, nobody renegotiates. */
  setForwarding(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (!enabled) return;
    for (const sink of this.sinkStates.keys()) sink.restart();
    this.requestKeyframe();
  }

  close(): void {
    this.closed = true;
    this.sinkStates.clear();
    for (const layer of this.layers) {
      layer.sinks = [];
      layer.pending = [];
      layer.keyframes.close();
    }
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  /** The layer that serves `desired` now: the best active one not above it, else the lowest active one. */
  private target(desired: number): number {
    if (desired === NO_LAYER) return NO_LAYER;
    const top = Math.min(desired, this.layers.length - 1);
    if (!this.simulcast) return 0;
    for (let i = top; i >= 0; i--) if (this.layers[i]!.active) return i;
    for (let i = top + 1; i < this.layers.length; i++) if (this.layers[i]!.active) return i;
    // Nothing has arrived yet: wait on the wanted layer (its first packets start with a keyframe).
    return top;
  }

  private resolve(sink: RtpSink): void {
    const state = this.sinkStates.get(sink)!;
    const target = this.target(state.desired);
    if (target === state.current) {
      this.leave(sink, state.pending, 'pending');
      state.pending = NO_LAYER;
      return;
    }
    if (target === NO_LAYER || state.current === NO_LAYER || !this.simulcast) {
      // Nothing to keep decoding from, or nothing wanted: switch now (the decoder waits for a keyframe).
      this.leave(sink, state.current, 'sinks');
      this.leave(sink, state.pending, 'pending');
      state.pending = NO_LAYER;
      state.current = target;
      if (target === NO_LAYER) return;
      // The subscriber's numbering continues from its last packet, not across the gap of a pause.
      sink.restart();
      this.layers[target]!.sinks.push(sink);
      if (this.kind === 'video') this.layers[target]!.keyframes.request();
      return;
    }
    if (state.pending === target) return;
    this.leave(sink, state.pending, 'pending');
    state.pending = target;
    this.layers[target]!.pending.push(sink);
    this.layers[target]!.keyframes.request();
  }

  private leave(sink: RtpSink, index: number, list: 'sinks' | 'pending'): void {
    if (index === NO_LAYER) return;
    const layer = this.layers[index];
    if (layer) layer[list] = layer[list].filter((s) => s !== sink);
  }

  private listen(track: MediaStreamTrack): void {
    const layer = this.layerFor(track.rid);
    layer.ssrc ??= track.ssrc;
    const { unSubscribe } = track.onReceiveRtp.subscribe((packet) => this.handle(packet, layer));
    this.disposers.push(unSubscribe);
  }

  private layerFor(rid: string | undefined): SimulcastLayer {
    if (rid === undefined || !this.simulcast) return this.layers[0]!;
    return this.layers.find((l) => l.rid === rid) ?? this.layers[0]!;
  }

  private handle(packet: RtpPacket, layer: SimulcastLayer): void {
    layer.ssrc = packet.header.ssrc;
    layer.noteSequence(packet.header.sequenceNumber);
    layer.packets++;
    layer.bytes += packet.payload.length;
    this.packetsReceived++;
    if (!this.enabled) return;
    if (this.onLevel && this.levelId !== undefined) {
      const level = audioLevelOf(packet, this.levelId);
      if (level >= 0) this.onLevel(this.participantId, level);
    }
    if (this.kind === 'video' && isKeyframeStart(this.mimeType, packet.payload)) this.onKeyframe(packet, layer);
    const sinks = layer.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i]!.deliver(packet);
  }

  /** A keyframe starts on `layer`: its size is read, and sinks waiting for it move over before it is delivered. */
  private onKeyframe(packet: RtpPacket, layer: SimulcastLayer): void {
    if (this.mimeType === 'video/vp8') {
      const size = vp8KeyframeSize(packet.payload);
      if (size) {
        layer.width = size.width;
        layer.height = size.height;
      }
    }
    if (layer.pending.length === 0) return;
    for (const sink of layer.pending) {
      const state = this.sinkStates.get(sink);
      if (!state) continue;
      this.leave(sink, state.current, 'sinks');
      state.current = layer.index;
      state.pending = NO_LAYER;
      sink.restart();
      layer.sinks.push(sink);
    }
    layer.pending = [];
  }

  private sendPli(ssrc: number): void {
    if (!this.transceiver || this.closed) return;
    void this.transceiver.receiver.sendRtcpPLI(ssrc);
  }
}
