import { SIMULCAST_RIDS, type ClientMessage, type Source } from '../../../src/protocol/room.js';
import { gatheringComplete } from './ice';

const ANSWER_TIMEOUT_MS = 15_000;
const SCREEN_MAX_BITRATE = 1_500_000;
/**
 * The camera as three simulcast layers, lowest first (SIMULCAST_RIDS): ¼, ½ and full size. The SFU
 * sends each viewer one layer, by its bandwidth and the size of its tile, and asks this page to pause
 * layers nobody receives (`layers`).
 */
const CAMERA_LAYERS: Array<{ scale: number; maxBitrate: number }> = [
  { scale: 4, maxBitrate: 150_000 },
  { scale: 2, maxBitrate: 450_000 },
  { scale: 1, maxBitrate: 1_000_000 },
];

/**
 * The browser's sending connection. Mic and camera transceivers always exist, so turning either on or
 * off is a replaceTrack with no renegotiation; a screen transceiver is added (and later reused) by a new
 * `publish` offer when sharing starts, and set inactive by another when it stops.
 */
export class Upstream {
  readonly pc: RTCPeerConnection;
  private readonly mic: RTCRtpTransceiver;
  private readonly camera: RTCRtpTransceiver;
  private screen: RTCRtpTransceiver | null = null;
  private sharing = false;
  private chain: Promise<void> = Promise.resolve();
  /** Negotiations asked for and not finished. */
  private pending = 0;
  /** The first offer, made (with its candidates) before it may be sent: see prepare(). */
  private prepared: Promise<RTCSessionDescriptionInit> | undefined;
  private pendingAnswer: { resolve: (sdp: string) => void; reject: (e: Error) => void } | null = null;
  private closed = false;

  constructor(
    private readonly send: (message: ClientMessage) => void,
    micTrack: MediaStreamTrack | null,
    cameraTrack: MediaStreamTrack | null,
    config: RTCConfiguration,
  ) {
    this.pc = new RTCPeerConnection(config);
    this.mic = this.pc.addTransceiver(micTrack ?? 'audio', { direction: 'sendonly' });
    this.camera = this.pc.addTransceiver(cameraTrack ?? 'video', {
      direction: 'sendonly',
      sendEncodings: CAMERA_LAYERS.map((layer, i) => ({ rid: SIMULCAST_RIDS[i], scaleResolutionDownBy: layer.scale, maxBitrate: layer.maxBitrate })),
    });
  }

  /** The SFU's `layers`: encode only the camera layers someone receives. */
  setLayers(source: Source, active: boolean[]): Promise<void> {
    if (source !== 'camera') return Promise.resolve();
    const run = this.chain.then(async () => {
      if (this.closed) return;
      const sender = this.camera.sender;
      const params = sender.getParameters();
      let changed = false;
      params.encodings.forEach((encoding, i) => {
        const on = active[i] ?? true;
        if (encoding.active !== on) changed = true;
        encoding.active = on;
      });
      if (changed) await sender.setParameters(params);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Sends a `publish` offer and applies the answer; offers are serialized. */
  publish(): Promise<void> {
    // With nothing in progress the offer is asked for now: the page renders the room in this same
    // task after `welcome`, and the offer would otherwise wait for that (bench/two-way-join.ts).
    const early = this.pending === 0 && !this.prepared ? this.pc.createOffer() : undefined;
    early?.catch(() => undefined);
    this.pending++;
    const run = this.chain.then(() => this.negotiate(early)).finally(() => this.pending--);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Makes the first offer and gathers its candidates now, while the page still waits for `welcome`
   * (a `publish` may only follow it); the first publish() then sends it at once.
   */
  prepare(): void {
    if (this.pending > 0 || this.prepared) return;
    this.prepared = this.localOffer(this.pc.createOffer());
    this.prepared.catch(() => undefined);
  }

  private async negotiate(early?: Promise<RTCSessionDescriptionInit>): Promise<void> {
    if (this.closed) return;
    const prepared = this.prepared;
    this.prepared = undefined;
    const offer = await (prepared ?? this.localOffer(early ?? this.pc.createOffer()));
    if (this.closed) return;
    const tracks: { mid: string; source: Source }[] = [];
    const add = (t: RTCRtpTransceiver | null, source: Source) => {
      if (t?.mid) tracks.push({ mid: t.mid, source });
    };
    add(this.mic, 'mic');
    add(this.camera, 'camera');
    if (this.sharing) add(this.screen, 'screen');
    const answer = new Promise<string>((resolve, reject) => {
      this.pendingAnswer = { resolve, reject };
      window.setTimeout(() => reject(new Error('no publish-answer from the server')), ANSWER_TIMEOUT_MS);
    });
    this.send({ type: 'publish', sdp: this.pc.localDescription?.sdp ?? offer.sdp ?? '', tracks });
    const sdp = await answer.finally(() => (this.pendingAnswer = null));
    if (this.closed) return;
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  private async localOffer(offer: Promise<RTCSessionDescriptionInit>): Promise<RTCSessionDescriptionInit> {
    const description = await offer;
    await this.pc.setLocalDescription(description);
    await gatheringComplete(this.pc);
    return description;
  }

  /** The server's `publish-answer`. */
  handleAnswer(sdp: string): void {
    this.pendingAnswer?.resolve(sdp);
  }

  async setMicTrack(track: MediaStreamTrack | null): Promise<void> {
    if (this.mic.sender.track !== track) await this.mic.sender.replaceTrack(track);
  }

  async setCameraTrack(track: MediaStreamTrack | null): Promise<void> {
    if (this.camera.sender.track !== track) await this.camera.sender.replaceTrack(track);
  }

  async startScreen(track: MediaStreamTrack): Promise<void> {
    // Text must stay sharp: under load the encoder lowers the frame rate, never the resolution.
    track.contentHint = 'detail';
    if (this.screen) {
      this.screen.direction = 'sendonly';
      await this.screen.sender.replaceTrack(track);
    } else {
      this.screen = this.pc.addTransceiver(track, {
        direction: 'sendonly',
        sendEncodings: [{ maxBitrate: SCREEN_MAX_BITRATE }],
      });
      const params = this.screen.sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
      params.degradationPreference = 'maintain-resolution';
      await this.screen.sender.setParameters(params).catch(() => undefined);
    }
    this.sharing = true;
    await this.publish();
  }

  async stopScreen(): Promise<void> {
    if (!this.screen || !this.sharing) return;
    this.sharing = false;
    await this.screen.sender.replaceTrack(null);
    this.screen.direction = 'inactive';
    await this.publish();
  }

  close(): void {
    this.closed = true;
    this.pendingAnswer?.reject(new Error('closed'));
    this.pc.close();
  }
}
