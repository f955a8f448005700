import type { ClientIce } from '../../protocol/room.js';
import type { SfuOptions } from './options.js';
import { Publisher } from './publisher.js';
import { Subscriber } from './subscriber.js';
import { SfuError, type DownstreamTrack, type PublishedTrack, type Source } from './types.js';
import type { UpstreamTrack } from './upstream-track.js';
import type { TrackCounters } from '../stats/track-counters.js';
import { AudioTaps, LocalPublisher, type AudioListener } from './local-voice.js';
import type { AudioLevelListener } from './audio-level.js';
import type { TileView } from '../../protocol/room.js';
import { LayerDemand } from './layer-demand.js';
import { sendUpstreamRate } from './upstream-rate.js';

/** How often layers are measured and every subscriber's layers chosen. */
const TICK_MS = 500;
/** How often publishers are told (REMB) what they may send. */
const UPSTREAM_RATE_EVERY = 2;

/** A browser has both connections; a phone caller (src/sip) has a server-produced voice and no subscriber. */
type Member = { publisher: Publisher; subscriber: Subscriber } | { publisher: LocalPublisher; subscriber: undefined };

/** One meeting's media: every participant publishes upstream and receives everyone else's tracks. */
export class SfuRoom {
  /** Downstream offers go to the signaling layer through this callback (set once). */
  onDownstreamOffer: (participantId: string, sdp: string, tracks: DownstreamTrack[]) => void = () => undefined;
  /** A downstream mapping changed without an offer (spare slots bound or freed): the page is told at once. */
  onDownstreamTracks: (participantId: string, tracks: DownstreamTrack[]) => void = () => undefined;
  /** Every forwarded microphone packet's audio level (the server's active speaker, src/rtc/active-speaker.ts). */
  onAudioLevel: AudioLevelListener = () => undefined;
  private readonly levelSink: AudioLevelListener = (participantId, dbov) => this.onAudioLevel(participantId, dbov);
  /** A publisher should turn its camera's simulcast layers on or off (lowest first). */
  onLayers: (participantId: string, source: Source, active: boolean[]) => void = () => undefined;
  /** Insertion order is join order, which is also the order of m-sections a newcomer is offered. */
  private readonly members = new Map<string, Member>();
  private closed = false;
  /** The phone mixer's ears on the browsers' microphones. */
  private readonly taps = new AudioTaps();
  private readonly layerDemand = new LayerDemand();
  private readonly ticker: NodeJS.Timeout;
  private ticks = 0;

  constructor(
    readonly conferenceId: string,
    private readonly opts: SfuOptions,
  ) {
    this.ticker = setInterval(() => this.tick(performance.now()), TICK_MS);
    this.ticker.unref();
  }

  /** The tiles a participant's page shows: its layers follow their sizes. */
  setView(participantId: string, tiles: readonly TileView[]): void {
    this.members.get(participantId)?.subscriber?.setView(tiles);
  }

  /** Measures layers, chooses every subscriber's layers, and tells publishers which layers to encode. */
  tick(now: number): void {
    if (this.closed) return;
    for (const { publisher } of this.members.values()) for (const track of publisher.tracks.values()) track.sample(now);
    for (const { subscriber } of this.members.values()) subscriber?.allocate(now);
    for (const [id, { publisher }] of this.members) {
      for (const track of publisher.tracks.values()) {
        if (!track.simulcast) continue;
        const active = this.layerDemand.update(track, now);
        if (active) this.emitLayers(id, track.source, active);
      }
    }
    if (++this.ticks % UPSTREAM_RATE_EVERY === 0) {
      for (const { publisher, subscriber } of this.members.values()) if (subscriber) sendUpstreamRate(publisher as Publisher);
    }
  }

  /** What the participant's page builds its peer connections with (sent in `welcome`); undefined = defaults. */
  clientIce(participantId: string): ClientIce | undefined {
    return this.opts.clientIce?.(participantId);
  }

  /**
   * Creates the participant's connections. The downstream offer (the others' tracks and the spare
   * slots, src/rtc/sfu/subscriber.ts) follows asynchronously through onDownstreamOffer. Adding a participant already present replaces it.
   */
  async addParticipant(participantId: string): Promise<void> {
    if (this.closed) throw new SfuError('room is closed');
    if (this.members.has(participantId)) await this.removeParticipant(participantId);
    // Its ports first: a participant the range has no room for is refused, not left without candidates.
    this.opts.ports?.reserve(this.conferenceId);
    const subscriber = new Subscriber(participantId, this.opts, {
      tracksFor: (id) => this.tracksFor(id),
      offer: (id, sdp, tracks) => this.emitOffer(id, sdp, tracks),
      tracks: (id, tracks) => this.emitTracks(id, tracks),
      warn: (obj, msg) => this.opts.logger?.warn({ ...obj, conferenceId: this.conferenceId }, msg),
    });
    this.members.set(participantId, { publisher: new Publisher(participantId, this.opts), subscriber });
    subscriber.update();
  }

  /**
   * Adds a participant whose voice the server produces (a phone caller): no ports, no WebRTC; the
   * returned publisher takes its Opus packets, and every browser is offered the track.
   */
  addLocalParticipant(participantId: string): LocalPublisher {
    if (this.closed) throw new SfuError('room is closed');
    const previous = this.members.get(participantId);
    if (previous) void this.removeParticipant(participantId);
    const publisher = new LocalPublisher(participantId);
    for (const track of publisher.tracks.values()) track.onLevel = this.levelSink;
    this.members.set(participantId, { publisher, subscriber: undefined });
    this.updateAllBut(participantId);
    return publisher;
  }

  /** Hands every browser microphone packet to `listener` (one per room; undefined stops it). */
  listenAudio(listener: AudioListener | undefined): void {
    this.taps.set(listener, this.browserTracks());
  }

  /** Applies the participant's upstream offer; resolves to the answer SDP. Safe to call again to renegotiate. */
  async publish(participantId: string, offerSdp: string, tracks: PublishedTrack[]): Promise<string> {
    const member = this.member(participantId);
    if (!member.subscriber) throw new SfuError(`participant ${participantId} has no WebRTC connection`);
    const { answer, changed } = await member.publisher.publish(offerSdp, tracks);
    if (changed) for (const track of member.publisher.tracks.values()) track.onLevel = this.levelSink;
    if (changed && this.members.get(participantId) === member) this.updateAllBut(participantId);
    return answer;
  }

  async downstreamAnswer(participantId: string, answerSdp: string): Promise<void> {
    const { subscriber } = this.member(participantId);
    if (!subscriber) throw new SfuError(`participant ${participantId} has no WebRTC connection`);
    await subscriber.answer(answerSdp);
  }

  /** Stops (or resumes) forwarding one source of a participant to everybody, without renegotiation. */
  setForwarding(participantId: string, source: Source, enabled: boolean): void {
    this.members.get(participantId)?.publisher.setForwarding(source, enabled);
  }

  /** Closes the participant's connections; everyone else's slots of their tracks become spares (no renegotiation). */
  async removeParticipant(participantId: string): Promise<void> {
    const member = this.members.get(participantId);
    if (!member) return;
    this.members.delete(participantId);
    if (member.subscriber) this.opts.ports?.release(this.conferenceId);
    const closing = Promise.all([member.publisher.close(), member.subscriber?.close()]);
    this.updateAllBut(participantId);
    await closing;
  }

  /** Every track published in the room now, in join order (what a recording or stream-out taps). */
  upstreamTracks(): UpstreamTrack[] {
    return [...this.members.values()].flatMap(({ publisher }) => [...publisher.tracks.values()]);
  }

  stats(): { participants: number; forwardedStreams: number } {
    let forwardedStreams = 0;
    for (const { subscriber } of this.members.values()) forwardedStreams += subscriber?.forwardedStreams ?? 0;
    return { participants: this.members.size, forwardedStreams };
  }

  /** Running totals of every track in the meeting, both directions, as the SFU measures them (src/rtc/stats). */
  trackCounters(): TrackCounters[] {
    const out: TrackCounters[] = [];
    for (const { publisher, subscriber } of this.members.values()) {
      for (const track of publisher.tracks.values()) out.push(track.counters());
      if (subscriber) out.push(...subscriber.counters());
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.ticker);
    const members = [...this.members.values()];
    for (const m of members) if (m.subscriber) this.opts.ports?.release(this.conferenceId);
    this.members.clear();
    this.taps.clear();
    await Promise.all(members.flatMap((m) => [m.publisher.close(), m.subscriber?.close()]));
  }

  private tracksFor(participantId: string): UpstreamTrack[] {
    const tracks: UpstreamTrack[] = [];
    for (const [id, { publisher }] of this.members) if (id !== participantId) tracks.push(...publisher.tracks.values());
    return tracks;
  }

  private updateAllBut(participantId: string): void {
    for (const [id, { subscriber }] of this.members) if (id !== participantId) subscriber?.update();
    this.taps.sync(this.browserTracks());
  }

  /** The tracks browsers publish (phone voices reach the mixer as PCM, not through here). */
  private browserTracks(): UpstreamTrack[] {
    const tracks: UpstreamTrack[] = [];
    for (const { publisher, subscriber } of this.members.values()) if (subscriber) tracks.push(...publisher.tracks.values());
    return tracks;
  }

  private emitLayers(participantId: string, source: Source, active: boolean[]): void {
    try {
      this.onLayers(participantId, source, active);
    } catch (err) {
      this.opts.logger?.warn({ err, conferenceId: this.conferenceId, participantId }, 'layers handler threw');
    }
  }

  private emitOffer(participantId: string, sdp: string, tracks: DownstreamTrack[]): void {
    try {
      this.onDownstreamOffer(participantId, sdp, tracks);
    } catch (err) {
      this.opts.logger?.warn({ err, conferenceId: this.conferenceId, participantId }, 'downstream offer handler threw');
    }
  }

  private emitTracks(participantId: string, tracks: DownstreamTrack[]): void {
    try {
      this.onDownstreamTracks(participantId, tracks);
    } catch (err) {
      this.opts.logger?.warn({ err, conferenceId: this.conferenceId, participantId }, 'downstream tracks handler threw');
    }
  }

  private member(participantId: string): Member {
    const member = this.members.get(participantId);
    if (!member) throw new SfuError(`participant ${participantId} is not in the room`);
    return member;
  }
}
