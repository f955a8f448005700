import type { ClientIce, ClientMessage, RemoteTrackInfo, Source } from '../../../src/protocol/room.js';
import { rtcConfig } from '../rtc/ice';
import { Downstream, type RemoteMedia } from '../rtc/downstream';
import { Upstream } from '../rtc/upstream';

export interface MediaLinkHandlers {
  onRemoteMedia(media: RemoteMedia): void;
  /** A negotiation or a connection failed; the room starts over. */
  onFailure(what: string, error: unknown): void;
}

/**
 * One session's pair of peer connections (docs/room-protocol.md, "Media"). A new one is made after
 * every `welcome`; a closed one stays silent.
 */
export class MediaLink {
  private readonly upstream: Upstream;
  private readonly downstream: Downstream;
  private closed = false;

  constructor(
    send: (message: ClientMessage) => void,
    tracks: { mic: MediaStreamTrack | null; camera: MediaStreamTrack | null; screen: MediaStreamTrack | null },
    private readonly handlers: MediaLinkHandlers,
    ice?: ClientIce,
  ) {
    const config = rtcConfig(ice);
    this.upstream = new Upstream(send, tracks.mic, tracks.camera, config);
    this.downstream = new Downstream(send, (media) => this.closed || handlers.onRemoteMedia(media), (error) => this.fail('receiving media', error), config);
    const pc = this.upstream.pc;
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') this.fail('sending media', new Error('upstream connection failed'));
    });
    const publish = tracks.screen ? this.upstream.startScreen(tracks.screen) : this.upstream.publish();
    publish.catch((error: unknown) => this.fail('sending media', error));
  }

  private fail(what: string, error: unknown): void {
    if (!this.closed) this.handlers.onFailure(what, error);
  }

  answer(sdp: string): void {
    this.upstream.handleAnswer(sdp);
  }

  offer(sdp: string, tracks: RemoteTrackInfo[]): void {
    void this.downstream.handleOffer(sdp, tracks);
  }

  /** The SFU's `layers`: which simulcast layers of a source to encode. */
  setLayers(source: Source, active: boolean[]): void {
    void this.upstream.setLayers(source, active).catch(() => undefined);
  }

  setMic(track: MediaStreamTrack | null): void {
    void this.upstream.setMicTrack(track).catch(() => undefined);
  }

  setCamera(track: MediaStreamTrack | null): void {
    void this.upstream.setCameraTrack(track).catch(() => undefined);
  }

  startScreen(track: MediaStreamTrack): Promise<void> {
    return this.upstream.startScreen(track);
  }

  stopScreen(): Promise<void> {
    return this.upstream.stopScreen();
  }

  get upstreamPc(): RTCPeerConnection {
    return this.upstream.pc;
  }

  get downstreamPc(): RTCPeerConnection | null {
    return this.downstream.connection;
  }

  close(): void {
    this.closed = true;
    this.upstream.close();
    this.downstream.close();
  }
}
