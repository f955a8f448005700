import type { ClientMessage, RemoteTrackInfo, Source } from '../../../src/protocol/room.js';
import { gatheringComplete } from './ice';

export type RemoteMedia = Map<string, Partial<Record<Source, MediaStreamTrack>>>;

/**
 * The browser's receiving connection. The server offers; each `subscribe-offer` and each
 * `subscribe-tracks` carries the list that maps every `mid` to a participant and a source, and the
 * last one received is the truth. The whole map is rebuilt from it and the negotiated transceivers
 * after each answer and, at once, on each `subscribe-tracks`: a newcomer's tracks arrive on spare
 * m-sections that were negotiated earlier, so their receivers exist already and unmute when packets flow.
 */
export class Downstream {
  private pc: RTCPeerConnection | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** The mapping of the last `subscribe-offer` or `subscribe-tracks` received. */
  private latest: RemoteTrackInfo[] = [];

  constructor(
    private readonly send: (message: ClientMessage) => void,
    private readonly onMedia: (media: RemoteMedia) => void,
    private readonly onFailure: (error: unknown) => void,
    private readonly config: RTCConfiguration,
  ) {}

  /** The server's `subscribe-offer`; offers are handled strictly in order. */
  handleOffer(sdp: string, tracks: RemoteTrackInfo[]): Promise<void> {
    this.latest = tracks;
    const run = this.chain.then(() => this.answer(sdp));
    this.chain = run.catch((error: unknown) => {
      if (!this.closed) this.onFailure(error);
    });
    return this.chain;
  }

  /** The server's `subscribe-tracks`: applied now, not after an offer that may be in progress. */
  handleTracks(tracks: RemoteTrackInfo[]): void {
    this.latest = tracks;
    if (this.pc && !this.closed) this.onMedia(this.mapTracks(this.pc));
  }

  private async answer(sdp: string): Promise<void> {
    if (this.closed) return;
    const pc = (this.pc ??= this.create());
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await gatheringComplete(pc);
    if (this.closed) return;
    this.send({ type: 'subscribe-answer', sdp: pc.localDescription?.sdp ?? answer.sdp ?? '' });
    this.onMedia(this.mapTracks(pc));
  }

  private create(): RTCPeerConnection {
    const pc = new RTCPeerConnection(this.config);
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' && !this.closed) this.onFailure(new Error('downstream connection failed'));
    });
    return pc;
  }

  private mapTracks(pc: RTCPeerConnection): RemoteMedia {
    const byMid = new Map(this.latest.map((t) => [t.mid, t]));
    const media: RemoteMedia = new Map();
    for (const transceiver of pc.getTransceivers()) {
      const info = transceiver.mid ? byMid.get(transceiver.mid) : undefined;
      const direction = transceiver.currentDirection;
      if (!info || direction === 'inactive' || direction === 'stopped' || direction === 'sendonly') continue;
      const entry = media.get(info.participantId) ?? {};
      entry[info.source] = transceiver.receiver.track;
      media.set(info.participantId, entry);
    }
    return media;
  }

  /** For tests and diagnostics: the receiving connection, once the server has offered. */
  get connection(): RTCPeerConnection | null {
    return this.pc;
  }

  close(): void {
    this.closed = true;
    this.pc?.close();
    this.pc = null;
  }
}
