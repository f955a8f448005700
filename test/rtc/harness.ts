import { RtpPeer, type DownstreamTrack, type RtpPeerOptions, type Source } from '../../bench/support/rtp-peer.js';
import { Sfu, type SfuOptions, type SfuRoom } from '../../src/rtc/sfu/sfu.js';

/**
 * Plays the signaling layer for SFU tests: werift peers stand in for browsers, and offers/answers
 * pass straight between them and a real SfuRoom on loopback.
 */
export class RoomHarness {
  readonly sfu: Sfu;
  readonly room: SfuRoom;
  readonly peers = new Map<string, RtpPeer>();
  /** Every downstream offer, in order. */
  readonly offers: Array<{ participantId: string; sdp: string; tracks: DownstreamTrack[] }> = [];
  /** Every `subscribe-tracks` (a mapping changed without an offer), in order. */
  readonly trackFrames: Array<{ participantId: string; tracks: DownstreamTrack[] }> = [];
  /** The latest mapping sent to each participant, by offer or by frame (what a page holds to). */
  private readonly latest = new Map<string, DownstreamTrack[]>();
  readonly errors: unknown[] = [];
  /** Participants whose downstream offers are held until answerHeld() (to test serialization). */
  readonly holdAnswers = new Set<string>();
  private readonly held = new Map<string, Array<{ sdp: string; tracks: DownstreamTrack[] }>>();

  constructor(opts: SfuOptions = { listenIp: '127.0.0.1' }) {
    this.sfu = new Sfu(opts);
    this.room = this.sfu.room('conference-1');
    this.room.onDownstreamTracks = (participantId, tracks) => {
      this.trackFrames.push({ participantId, tracks });
      this.latest.set(participantId, tracks);
      this.peers.get(participantId)?.mapDownstream(tracks);
    };
    this.room.onDownstreamOffer = (participantId, sdp, tracks) => {
      this.offers.push({ participantId, sdp, tracks });
      // Like the page: the list received last is the mapping, even while this offer waits for its answer.
      this.latest.set(participantId, tracks);
      this.peers.get(participantId)?.mapDownstream(tracks);
      if (this.holdAnswers.has(participantId)) {
        const list = this.held.get(participantId) ?? [];
        list.push({ sdp, tracks });
        this.held.set(participantId, list);
        return;
      }
      void this.answer(participantId, sdp);
    };
  }

  heldOffers(participantId: string): number {
    return this.held.get(participantId)?.length ?? 0;
  }

  /** Answers the oldest held offer of `participantId`. */
  async answerHeld(participantId: string): Promise<void> {
    const next = this.held.get(participantId)?.shift();
    if (!next) throw new Error(`no held offer for ${participantId}`);
    await this.answer(participantId, next.sdp);
  }

  /** Adds a participant publishing `sources` (none = receive-only) and starts its generators. */
  async join(name: string, sources: Source[], opts: Partial<RtpPeerOptions> = {}): Promise<RtpPeer> {
    const peer = new RtpPeer({ name, record: true, ...opts });
    this.peers.set(name, peer);
    await this.room.addParticipant(name);
    for (const source of sources) peer.addSource(source);
    if (sources.length > 0) await this.publish(peer);
    return peer;
  }

  /** Sends the peer's current upstream state as a (re)offer and applies the answer. */
  async publish(peer: RtpPeer): Promise<void> {
    const { sdp, tracks } = await peer.publishOffer();
    const answer = await this.room.publish(peer.name, sdp, tracks);
    await peer.publishAnswer(answer);
    peer.start();
  }

  /** Latest downstream track list sent to `participantId` (by offer or `subscribe-tracks`). */
  lastTracks(participantId: string): DownstreamTrack[] | undefined {
    return this.latest.get(participantId);
  }

  lastOfferSdp(participantId: string): string | undefined {
    return this.offers.filter((o) => o.participantId === participantId).at(-1)?.sdp;
  }

  offersTo(participantId: string): number {
    return this.offers.filter((o) => o.participantId === participantId).length;
  }

  /** Waits until no offer is in flight or new for a while (background top-ups have been answered). */
  async settled(timeoutMs = 8_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seen = this.offers.length;
      await sleep(250);
      const stable = [...this.peers.values()].every((p) => p.downstream.signalingState === 'stable' || this.heldOffers(p.name) > 0);
      if (stable && seen === this.offers.length) return;
      if (performance.now() > deadline) throw new Error('offers did not settle');
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.peers.values()].map((p) => p.close()));
    await this.sfu.close();
  }

  private async answer(participantId: string, sdp: string): Promise<void> {
    const peer = this.peers.get(participantId);
    if (!peer) return;
    try {
      const answer = await peer.answerDownstream(sdp);
      await this.room.downstreamAnswer(participantId, answer);
    } catch (err) {
      this.errors.push(err);
    }
  }
}

/** Polls `check` until it returns true (or throws the last failure after `timeoutMs`). */
export async function eventually(check: () => boolean, timeoutMs = 8_000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
