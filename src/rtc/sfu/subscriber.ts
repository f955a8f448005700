import {
  MediaStream,
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSrPacket,
  type RTCPeerConnection,
  type RTCRtpCodecParameters,
  type RtcpPacket,
} from 'werift';
import { DownstreamSlot } from './downstream-slot.js';
import { AUDIO_CODECS, VIDEO_CODECS, type SfuOptions } from './options.js';
import { Closer, createPeer, localSdp, setLocalAndGather } from './peer.js';
import { SfuError, type DownstreamTrack } from './types.js';
import type { UpstreamTrack } from './upstream-track.js';
import type { TrackCounters } from '../stats/track-counters.js';
import { keepAudioFeedback } from './audio-nack.js';
import { DownlinkEstimator, START_BPS } from './downlink.js';
import { budgetRetransmissions, RetransmitBudget } from './retransmit-budget.js';
import { allocateLayers, layerForTile, nextUpgrade, type VideoDemand } from './layer-allocation.js';
import { NO_LAYER } from './upstream-track.js';
import type { Source } from './types.js';

export interface SubscriberHost {
  /** Every track this subscriber should receive right now (the others' published tracks). */
  tracksFor(participantId: string): UpstreamTrack[];
  offer(participantId: string, sdp: string, tracks: DownstreamTrack[]): void;
  /** Which mid carries whom changed without an offer (a spare slot was bound, or a slot freed). */
  tracks(participantId: string, tracks: DownstreamTrack[]): void;
  warn(obj: object, msg: string): void;
}

const FIR_FORMAT = 4;
/** The least one audio track is assumed to take of a downlink before any video is given room, bps. */
const AUDIO_FLOOR_BPS = 24_000;
/**
 * Layer a video starts on, before the first allocation: the lowest, which always flows and whose
 * keyframe is the smallest, so a newcomer is seen at once; the allocation raises it within a second.
 */
const START_LAYER = 0;
/** An upgrade must be proposed this many allocations in a row (a downgrade happens at once). */
const UPGRADE_VOTES = 2;

/**
 * Unbound m-sections every downstream connection keeps negotiated (sendonly, nothing flowing): a
 * newcomer's microphone and camera, plus a screen share, start on them at once, told to the page by
 * `subscribe-tracks`, with no offer/answer round before the others see them. Spares use the codec
 * every browser publishes first (the SFU prefers it); another codec still gets its slot by an offer.
 */
export const SPARE_SLOTS: Readonly<Record<'audio' | 'video', number>> = { audio: 1, video: 2 };
const SPARE_CODEC: Readonly<Record<'audio' | 'video', string>> = { audio: AUDIO_CODECS[0], video: VIDEO_CODECS[0] };
const KINDS = ['audio', 'video'] as const;

type State = 'idle' | 'offering' | 'awaiting-answer';

/**
 * A participant's downstream connection. The SFU offers; there is at most one offer in flight, and a
 * change while one is pending only marks the state dirty: after the answer the latest state is offered.
 * A new track goes at once onto a negotiated spare slot when one fits (the page learns the mapping
 * from `subscribe-tracks`); the offer that follows only tops the spares up, and nobody waits on it.
 */
export class Subscriber {
  readonly pc: RTCPeerConnection;
  private readonly slots: DownstreamSlot[] = [];
  private state: State = 'idle';
  private dirty = false;
  /** The last offer failed (or its answer did): offer again even if nothing changed. */
  private mustOffer = false;
  private closed = false;
  private readonly closer = new Closer(() => new SfuError('participant has left'));
  private rtcpHooked = false;
  /** Bound slots wait for the connection before they attach (see startForwarding). */
  private attachOnConnect = false;
  /** An offer has gone to the page, so it has a connection to map `subscribe-tracks` onto. */
  private offered = false;
  /** This subscriber's downlink, from the loss in its browser's receiver reports. */
  readonly downlink = new DownlinkEstimator();
  /** What the NACK answers of its video slots may take of that downlink. */
  private readonly retransmits = new RetransmitBudget(START_BPS);
  /** Device-pixel height of each tile the page shows, by `participantId:source`. */
  private readonly tiles = new Map<string, number>();
  private lastAllocation = { at: 0, bytes: 0 };
  private readonly upgradeVotes = new Map<DownstreamSlot, number>();
  /** Once the page has reported its view, a video missing from it is not shown and gets the lowest layer. */
  private viewReported = false;

  constructor(
    readonly participantId: string,
    private readonly opts: SfuOptions,
    private readonly host: SubscriberHost,
  ) {
    this.pc = createPeer(opts);
    this.pc.connectionStateChange.subscribe((state) => {
      if (state !== 'connected' || !this.attachOnConnect) return;
      this.attachOnConnect = false;
      this.startForwarding();
    });
  }

  /** What this subscriber should receive may have changed: renegotiate when needed. */
  update(): void {
    if (this.closed) return;
    this.bindSpares();
    this.dirty = true;
    void this.negotiate();
  }


  get awaitingAnswer(): boolean {
    return this.state === 'awaiting-answer';
  }

  /** Streams being forwarded to this subscriber right now (attached, and not paused by setForwarding). */
  get forwardedStreams(): number {
    return this.slots.filter((s) => s.live && s.source?.forwarding).length;
  }

  /** The tiles the page renders now (device pixels); a video it does not show gets the lowest layer. */
  setView(tiles: ReadonlyArray<{ participantId: string; source: Source; height: number }>): void {
    this.tiles.clear();
    // One video may show in two places (a tile and the spotlight): the larger decides.
    for (const t of tiles) {
      const key = `${t.participantId}:${t.source}`;
      this.tiles.set(key, Math.max(t.height, this.tiles.get(key) ?? 0));
    }
    this.viewReported = true;
  }

  /**
   * Chooses each video's layer from the downlink estimate and the tile sizes; runs every room tick.
   * Audio is budgeted first, so under congestion video layers go before any audio does.
   */
  allocate(now: number): void {
    const slots = this.slots.filter((s) => s.live && s.source);
    const bytes = this.wireTotal();
    const elapsed = now - this.lastAllocation.at;
    const sendRate = this.rateSinceAllocation(bytes, now, 0);
    this.lastAllocation = { at: now, bytes };
    const demands: Array<VideoDemand & { slot: DownstreamSlot }> = [];
    for (const slot of slots) {
      const track = slot.source!;
      if (track.kind === 'audio') continue;
      const tile = this.tiles.get(`${track.participantId}:${track.source}`);
      const tileHeight = tile ?? (this.viewReported ? 0 : undefined);
      const layers = track.layerViews();
      // A camera that is off (or muted) sends nothing and takes no share; it starts on what its tile asks for.
      if (!track.forwarding || !layers.some((l) => l.active)) {
        slot.want(layerForTile(layers, tileHeight));
        continue;
      }
      demands.push({ slot, key: slot.transceiver.mid ?? '', layers, tileHeight, priority: (track.source === 'screen' ? 1e9 : 0) + (tileHeight ?? 0), current: slot.layer });
    }
    // Audio is what it measures (Opus at ~30–40 kbit/s each), with a floor per track before it is measured.
    // Over every audio slot, live or not: like the total above, a sum that only grows.
    const audioBytes = this.slots.reduce((n, s) => n + (s.kind === 'audio' ? wireBytes(s) : 0), 0);
    const audioRate = this.audioRate(audioBytes, elapsed, slots.filter((s) => s.kind === 'audio').length);
    // Audio and every video's lowest layer: what the estimate may grow to even while video is paused.
    this.downlink.sample(now, sendRate, audioRate + demands.reduce((n, d) => n + (d.layers[0]?.bitrate ?? 0), 0));
    this.retransmits.allow(this.downlink.estimate, now);
    if (demands.length === 0) return;
    const allocation = allocateLayers(this.downlink.estimate - audioRate, demands);
    if (this.downlink.mayProbe(now)) {
      const up = nextUpgrade(demands, allocation);
      if (up) {
        this.downlink.probe(up.extra, now);
        allocation.set(up.key, up.layer);
      }
    }
    for (const d of demands) {
      const layer = allocation.get(d.key) ?? NO_LAYER;
      const current = d.slot.wantedLayer;
      if (layer > current && current !== NO_LAYER) {
        const votes = (this.upgradeVotes.get(d.slot) ?? 0) + 1;
        this.upgradeVotes.set(d.slot, votes);
        if (votes < UPGRADE_VOTES) continue;
      }
      this.upgradeVotes.delete(d.slot);
      if (layer > current) this.downlink.raised(now);
      d.slot.want(layer);
    }
  }

  /** Bytes put on the wire to this subscriber so far: slots are never dropped and their counters only grow, so the sum is monotonic. */
  private wireTotal(): number {
    return this.slots.reduce((n, s) => n + wireBytes(s), 0);
  }

  /** The send rate (bps) from the last allocation to `now`, given the wire total at `now`; 0 before `minMs` have passed. */
  private rateSinceAllocation(bytes: number, now: number, minMs: number): number {
    const elapsed = now - this.lastAllocation.at;
    if (this.lastAllocation.at <= 0 || elapsed <= 0 || elapsed < minMs) return 0;
    return (Math.max(0, bytes - this.lastAllocation.bytes) * 8 * 1000) / elapsed;
  }

  private lastAudioBytes = 0;

  private audioRate(bytes: number, elapsed: number, tracks: number): number {
    const delta = bytes - this.lastAudioBytes;
    this.lastAudioBytes = bytes;
    const measured = elapsed > 0 && delta > 0 ? (delta * 8 * 1000) / elapsed : 0;
    return Math.max(measured, tracks * AUDIO_FLOOR_BPS);
  }

  /** Counters of every track being forwarded to this subscriber (src/rtc/stats). */
  counters(): TrackCounters[] {
    return this.slots.flatMap((slot) => slot.counters(this.participantId) ?? []);
  }

  async answer(sdp: string): Promise<void> {
    if (this.closed) throw new SfuError('participant has left');
    if (this.state !== 'awaiting-answer') throw new SfuError('no downstream offer is waiting for an answer');
    try {
      await this.closer.race(this.pc.setRemoteDescription({ type: 'answer', sdp }));
    } catch (err) {
      if (this.closed) throw err;
      this.state = 'idle';
      this.mustOffer = true;
      if (this.pc.signalingState === 'have-local-offer') await this.pc.setLocalDescription({ type: 'rollback' }).catch(() => undefined);
      throw new SfuError(`downstream answer rejected: ${(err as Error).message}`);
    }
    this.state = 'idle';
    keepAudioFeedback(this.pc);
    this.startForwarding();
    if (this.dirty) void this.negotiate();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closer.close();
    for (const slot of this.slots) slot.unbind();
    await this.pc.close();
  }

  private async negotiate(): Promise<void> {
    if (this.state !== 'idle' || this.closed || !this.dirty) return;
    this.dirty = false;
    this.state = 'offering';
    try {
      const changed = this.applyDesiredTracks();
      if (!changed && !this.mustOffer) {
        this.state = 'idle';
        return;
      }
      this.mustOffer = false;
      await this.closer.race(setLocalAndGather(this.pc, this.pc.createOffer()));
      if (this.closed) return;
      const sdp = localSdp(this.pc, this.opts);
      this.state = 'awaiting-answer';
      this.offered = true;
      this.host.offer(this.participantId, sdp, this.trackList());
    } catch (err) {
      this.state = 'idle';
      this.mustOffer = true;
      if (!this.closed) this.host.warn({ err, participantId: this.participantId }, 'downstream offer failed');
    }
  }

  /**
   * Without renegotiating: frees the slots of tracks that went away (they stay negotiated, as spares)
   * and puts new tracks on ready spares, forwarding at once. The page is told the new mapping.
   */
  private bindSpares(): void {
    const wanted = new Set(this.host.tracksFor(this.participantId));
    let mapped = false;
    for (const slot of this.slots) {
      if (!slot.source || wanted.has(slot.source)) continue;
      slot.unbind();
      mapped = true;
    }
    const carried = new Set(this.slots.map((s) => s.source));
    for (const track of wanted) {
      if (carried.has(track)) continue;
      const slot = this.slots.find((s) => !s.source && s.kind === track.kind && s.mimeType === track.mimeType && this.ready(s));
      if (!slot) continue;
      this.assign(slot, track);
      mapped = true;
    }
    this.startForwarding();
    if (mapped && this.offered) this.host.tracks(this.participantId, this.trackList());
  }

  /** Brings the slots in line with what the room says this subscriber should receive; true if an offer is needed. */
  private applyDesiredTracks(): boolean {
    this.bindSpares();
    let changed = false;
    const carried = new Set(this.slots.map((s) => s.source));
    for (const track of this.host.tracksFor(this.participantId)) {
      if (carried.has(track)) continue;
      // A spare still waiting for its answer rides this offer; else a new m-section.
      const spare = this.slots.find((s) => !s.source && s.kind === track.kind && s.mimeType === track.mimeType && s.transceiver.direction === 'sendonly');
      this.assign(spare ?? this.newSlot(track.kind, track.mimeType), track);
      changed = true;
    }
    for (const kind of KINDS) {
      const mimeType = SPARE_CODEC[kind];
      let spares = this.slots.filter((s) => !s.source && s.kind === kind && s.mimeType === mimeType && s.transceiver.direction === 'sendonly').length;
      for (; spares < SPARE_SLOTS[kind]; spares++) {
        this.newSlot(kind, mimeType);
        changed = true;
      }
    }
    return changed;
  }

  private assign(slot: DownstreamSlot, track: UpstreamTrack): void {
    slot.bind(track, track.kind === 'video' ? START_LAYER : 0);
    slot.transceiver.sender.setStreams([new MediaStream({ id: streamId(track.participantId) })]);
    slot.transceiver.setDirection('sendonly');
  }

  /** Negotiated as sending, and staying so: packets sent on it reach the page now. */
  private ready(slot: DownstreamSlot): boolean {
    return slot.transceiver.currentDirection === 'sendonly' && slot.transceiver.direction === 'sendonly';
  }

  /** Which mid carries which participant's source, for the page. */
  private trackList(): DownstreamTrack[] {
    const tracks: DownstreamTrack[] = [];
    for (const slot of this.slots) {
      if (slot.source && slot.transceiver.mid !== null) {
        tracks.push({ mid: slot.transceiver.mid, participantId: slot.source.participantId, source: slot.source.source });
      }
    }
    return tracks;
  }

  private newSlot(kind: 'audio' | 'video', mimeType: string): DownstreamSlot {
    const transceiver = this.pc.addTransceiver(kind, { direction: 'sendonly' });
    // Slots are recycled by this class (same kind and codec only); werift's own recycling ignores both.
    transceiver.usedForSender = true;
    // Offer exactly the publisher's codec (and its RTX): the SFU forwards, it cannot transcode.
    transceiver.codecs = codecsFor(this.pc.config.codecs[kind] ?? [], mimeType);
    const primary = transceiver.codecs[0];
    if (!primary) throw new Error(`no downstream codec for ${mimeType}`);
    const slot = new DownstreamSlot(transceiver, kind, mimeType, primary.clockRate, this.opts.forwarded);
    // Video only: a voice packet is a tenth of a video one, and audio goes first (a shared bucket let
    // video retransmissions crowd out a listener's lost Opus packets).
    if (kind === 'video') budgetRetransmissions(transceiver.sender, this.retransmits);
    this.slots.push(slot);
    if (!this.rtcpHooked) {
      this.rtcpHooked = true;
      transceiver.dtlsTransport.onRtcp.subscribe((packet) => this.onRtcp(packet));
    }
    return slot;
  }

  /**
   * Attaches the bound slots of negotiated m-sections, each with a keyframe request: new subscribers
   * need one now, not at the publisher's next periodic one. Before the connection is up nothing could
   * be delivered, and an early request would only rate-limit the one that matters, so they wait for it.
   */
  private startForwarding(): void {
    if (this.pc.connectionState !== 'connected') {
      if (this.slots.some((s) => s.source && !s.live)) this.attachOnConnect = true;
      return;
    }
    const attached = this.slots.filter((slot) => slot.transceiver.currentDirection === 'sendonly' && slot.attach());
    for (const slot of attached) slot.source?.requestKeyframe();
  }

  /**
   * PLI and FIR from the subscriber go upstream (rate-limited there); NACKs werift answers from its send
   * cache, within the retransmission budget; receiver reports' loss feeds the downlink estimate (REMB is
   * only recorded there).
   */
  private onRtcp(packet: RtcpPacket): void {
    const now = performance.now();
    if (packet.type === RtcpRrPacket.type || packet.type === RtcpSrPacket.type) {
      let worst = 0;
      for (const report of (packet as RtcpRrPacket | RtcpSrPacket).reports) {
        if (this.slots.some((s) => s.live && s.ssrc === report.ssrc)) worst = Math.max(worst, report.fractionLost / 256);
      }
      this.downlink.onLoss(worst, now, this.rateSinceAllocation(this.wireTotal(), now, 100));
      return;
    }
    if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
    const { feedback } = packet as RtcpPayloadSpecificFeedback;
    if (feedback instanceof ReceiverEstimatedMaxBitrate) {
      this.downlink.onRemb(Number(feedback.bitrate));
      return;
    }
    let ssrcs: number[];
    if (feedback instanceof PictureLossIndication) ssrcs = [feedback.mediaSsrc];
    // werift does not export its FIR class; FIR is payload-specific feedback format 4 (RFC 5104).
    else if (feedback.count === FIR_FORMAT && 'fir' in feedback) ssrcs = (feedback.fir as Array<{ ssrc: number }>).map((entry) => entry.ssrc);
    else return;
    for (const ssrc of ssrcs) {
      const slot = this.slots.find((s) => s.ssrc === ssrc);
      if (slot?.live) slot.source?.requestKeyframeFor(slot);
    }
  }
}

/** RTP, SRTP, UDP and IP headers per packet: small next to video, a third of an Opus packet. */
const PACKET_OVERHEAD_BYTES = 50;

/** What a slot has put on the wire, retransmissions and headers included (what the link carries). */
function wireBytes(slot: DownstreamSlot): number {
  // Kept by werift's sender as it answers NACKs; private in its typings.
  const { retransmittedBytesSent, retransmittedPacketsSent } = slot.transceiver.sender as unknown as { retransmittedBytesSent: number; retransmittedPacketsSent: number };
  return slot.bytesSent + retransmittedBytesSent + (slot.packetsSent + retransmittedPacketsSent) * PACKET_OVERHEAD_BYTES;
}

function codecsFor(codecs: RTCRtpCodecParameters[], mimeType: string): RTCRtpCodecParameters[] {
  const primary = codecs.find((c) => c.mimeType.toLowerCase() === mimeType);
  if (!primary) return [];
  const apt = new RegExp(`(^|;)\\s*apt=${primary.payloadType}(;|$)`);
  const rtx = codecs.find((c) => c.name.toLowerCase() === 'rtx' && apt.test(c.parameters ?? ''));
  return rtx ? [primary, rtx] : [primary];
}

/** msid stream ids must be SDP tokens; participant ids are opaque strings. */
function streamId(participantId: string): string {
  return participantId.replace(/[^A-Za-z0-9\-._~+]/g, '_') || 'participant';
}
