import type { RTCPeerConnection } from 'werift';
import { Closer, createPeer, localSdp, SerialQueue, setLocalAndGather } from './peer.js';
import type { SfuOptions } from './options.js';
import { offeredSections, restrictPublishOffer, type OfferedSection } from './sdp.js';
import { kindOf, SfuCapacityError, SfuError, type PublishedTrack, type Source } from './types.js';
import { UpstreamTrack } from './upstream-track.js';

/** A participant's upstream connection: the browser offers its sendonly tracks, the SFU answers. */
export class Publisher {
  readonly pc: RTCPeerConnection;
  /** By mid, in the order they were published. */
  readonly tracks = new Map<string, UpstreamTrack>();
  private readonly queue = new SerialQueue();
  private readonly muted = new Set<Source>();
  private closed = false;
  private readonly closer = new Closer(() => new SfuError('participant has left'));

  constructor(
    readonly participantId: string,
    private readonly opts: SfuOptions,
  ) {
    this.pc = createPeer(opts);
  }

  /** Applies a (re)offer; resolves to the answer SDP and whether the set of published tracks changed. */
  publish(offerSdp: string, tracks: PublishedTrack[]): Promise<{ answer: string; changed: boolean }> {
    return this.closer.race(this.queue.run(() => this.negotiate(offerSdp, tracks)));
  }

  setForwarding(source: Source, enabled: boolean): void {
    if (enabled) this.muted.delete(source);
    else this.muted.add(source);
    for (const track of this.tracks.values()) if (track.source === source) track.setForwarding(enabled);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closer.close();
    for (const track of this.tracks.values()) track.close();
    this.tracks.clear();
    await this.pc.close();
  }

  private async negotiate(offerSdp: string, declared: PublishedTrack[]): Promise<{ answer: string; changed: boolean }> {
    if (this.closed) throw new SfuError('participant has left');
    const offered = checkDeclaredTracks(offerSdp, declared);
    const offer = restrictPublishOffer(offerSdp);
    for (const transceiver of this.pc.getTransceivers()) {
      // werift recycles an inactive transceiver for any new remote m-section and renames its mid,
      // which breaks the answer; marking every transceiver as used stops that.
      transceiver.usedForSender = true;
      // An m-section the browser recycled for a new mid: retire the old transceiver's mid and index.
      if (transceiver.mid !== null && !offered.has(transceiver.mid)) {
        transceiver.mid = `~${transceiver.mid}`;
        transceiver.mLineIndex = undefined;
      }
    }
    try {
      await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await setLocalAndGather(this.pc, this.pc.createAnswer());
    } catch (err) {
      if (this.pc.signalingState === 'have-remote-offer') await this.pc.setLocalDescription({ type: 'rollback' }).catch(() => undefined);
      throw err instanceof SfuError ? err : new SfuError(`publish offer rejected: ${(err as Error).message}`);
    }
    if (this.closed) throw new SfuError('participant has left');
    const changed = this.syncTracks(declared, offered);
    const rejected = new Set([...offered].filter(([, section]) => section.rejected).map(([mid]) => mid));
    const answer = localSdp(this.pc, this.opts, rejected);
    // No port could be opened: say so, instead of an answer the browser can never connect to.
    if (!/^a=candidate:/m.test(answer)) throw new SfuCapacityError('no media port could be opened for the answer');
    return { answer, changed };
  }

  /** The declared list is authoritative: tracks not in it stop, new ones start. */
  private syncTracks(declared: PublishedTrack[], offered: Map<string, OfferedSection>): boolean {
    let changed = false;
    const wanted = new Map(declared.map((t) => [t.mid, t.source]));
    const transceivers = new Map(this.pc.getTransceivers().map((t) => [t.mid, t]));
    for (const [mid, track] of this.tracks) {
      if (wanted.get(mid) === track.source && transceivers.get(mid) === track.transceiver) continue;
      track.close();
      this.tracks.delete(mid);
      changed = true;
    }
    for (const { mid, source } of declared) {
      if (this.tracks.has(mid)) continue;
      const transceiver = transceivers.get(mid);
      if (!transceiver) throw new SfuError(`mid ${mid} is not in the negotiated session`);
      const rids = source === 'camera' ? (offered.get(mid)?.rids ?? []) : [];
      this.tracks.set(mid, new UpstreamTrack(this.participantId, mid, source, transceiver, !this.muted.has(source), undefined, rids));
      changed = true;
    }
    return changed;
  }
}

/** A `publish` must describe its offer: each mid offered, sending, of the source's kind, each source once. */
function checkDeclaredTracks(offerSdp: string, declared: PublishedTrack[]): ReturnType<typeof offeredSections> {
  const offered = offeredSections(offerSdp);
  const mids = new Set<string>();
  const sources = new Set<Source>();
  for (const { mid, source } of declared) {
    if (mids.has(mid)) throw new SfuError(`mid ${mid} is declared twice`);
    if (sources.has(source)) throw new SfuError(`source ${source} is declared twice`);
    mids.add(mid);
    sources.add(source);
    const section = offered.get(mid);
    if (!section || section.rejected) throw new SfuError(`mid ${mid} is not in the offer`);
    if (section.kind !== kindOf(source)) throw new SfuError(`mid ${mid} is ${section.kind}, not ${source}`);
    if (section.direction !== 'sendonly' && section.direction !== 'sendrecv') throw new SfuError(`mid ${mid} does not send`);
  }
  return offered;
}
