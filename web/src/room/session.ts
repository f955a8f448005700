import { CloseCode, type ClientIce, type ClientMessage, type RoomErrorCode, type ServerMessage } from '../../../src/protocol/room.js';
import type { RemoteMedia } from '../rtc/downstream.js';
import { Signaling } from '../rtc/signaling.js';
import { MediaLink } from './media-link.js';
import type { Upstream } from '../rtc/upstream.js';

/** Where the session stands; `done` is final. */
export type Connection = 'connecting' | 'live' | 'reconnecting' | 'done';

/** `kicked`: removed, but allowed back; `locked` / `restricted`: refused at the door by the meeting's settings. */
export type ExitReason = 'left' | 'ended' | 'removed' | 'kicked' | 'ticketInvalid' | 'replaced' | 'refused' | 'locked' | 'restricted' | 'denied';

/** Close codes that mean "do not come back on your own". */
const FINAL_CLOSE: Partial<Record<number, ExitReason>> = {
  [CloseCode.replaced]: 'replaced',
  [CloseCode.removed]: 'removed',
  [CloseCode.ended]: 'ended',
  [CloseCode.left]: 'left',
  [CloseCode.kicked]: 'kicked',
  [CloseCode.denied]: 'denied',
};

/** `error` codes that end the visit, whenever they come. */
const FINAL_ERROR: Partial<Record<RoomErrorCode, ExitReason>> = {
  meetingEnded: 'ended',
  removed: 'removed',
  ticketInvalid: 'ticketInvalid',
  meetingLocked: 'locked',
  internalOnly: 'restricted',
};

const RETRY_MS = [500, 1000, 2000, 3000, 5000];

export interface SessionTracks {
  mic: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
}

export interface SessionHandlers {
  /** The `hello` to send on every (re)connection. */
  hello(): ClientMessage & { type: 'hello' };
  /** What the media link publishes when it is (re)made after a `welcome`. */
  tracks(): SessionTracks;
  /** Every server message but the media link's own (offers and answers). */
  onMessage(message: ServerMessage): void;
  onConnection(connection: Connection, previous: Connection): void;
  onRemoteMedia(media: RemoteMedia): void;
  /** An `error` while live (the request failed, the session goes on). */
  onError(code: RoomErrorCode, message: string): void;
  /** The visit is over; `error` when the server's refusal ended it. */
  onExit(reason: ExitReason, error?: { code: RoomErrorCode; message: string }): void;
}

/**
 * One participant's presence in the room: the signaling socket, reconnection with backoff, and the
 * media link made anew after every `welcome`. What the messages mean is the Room's business.
 */
export class RoomSession {
  private readonly signaling: Signaling;
  private link: MediaLink | null = null;
  /** The upstream made while `hello` waits for `welcome` (MediaLink.prepareUpstream). */
  private prepared: Upstream | null = null;
  /** ICE servers and policy from the last `welcome` (fresh TURN credentials on every entry). */
  private ice: ClientIce | undefined;
  private state: Connection = 'connecting';
  private retries = 0;
  private retryTimer = 0;
  private recoveries = 0;
  private lastRecovery = -Infinity;
  private opened = false;

  constructor(private readonly handlers: SessionHandlers) {
    this.signaling = new Signaling({
      onOpen: () => this.signaling.send(this.handlers.hello()),
      onMessage: (message) => this.handle(message),
      onDrop: (code) => {
        const final = FINAL_CLOSE[code];
        if (final) this.finish(final);
        else this.dropped();
      },
    });
  }

  get connection(): Connection {
    return this.state;
  }

  get live(): boolean {
    return this.state === 'live';
  }

  /**
   * Opens the socket and makes the upstream offer at once, so both are under way while the room's page
   * is still being built; start() does it if this was not called.
   */
  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.connect();
  }

  start(): void {
    this.setConnection('connecting');
    this.open();
  }

  /** Opens the socket; the upstream connection is made and offered meanwhile (MediaLink.prepareUpstream). */
  private connect(): void {
    this.prepared?.close();
    this.prepared = MediaLink.prepareUpstream((message) => this.signaling.send(message), this.handlers.tracks());
    this.signaling.connect();
  }

  send(message: ClientMessage): void {
    this.signaling.send(message);
  }

  setMic(track: MediaStreamTrack | null): void {
    this.link?.setMic(track);
  }

  setCamera(track: MediaStreamTrack | null): void {
    this.link?.setCamera(track);
  }

  async startScreen(track: MediaStreamTrack): Promise<void> {
    await this.link?.startScreen(track);
  }

  async stopScreen(): Promise<void> {
    await this.link?.stopScreen();
  }

  /** Leaves for good on the person's word: the server is told, nothing reconnects. */
  leave(): void {
    this.signaling.send({ type: 'leave' });
    this.finish('left');
  }

  finish(reason: ExitReason, error?: { code: RoomErrorCode; message: string }): void {
    if (this.state === 'done') return;
    this.setConnection('done');
    this.handlers.onExit(reason, error);
  }

  dispose(): void {
    this.state = 'done';
    window.clearTimeout(this.retryTimer);
    this.signaling.close();
    this.disconnectMedia();
  }

  get upstreamPc(): RTCPeerConnection | null {
    return this.link?.upstreamPc ?? null;
  }

  get downstreamPc(): RTCPeerConnection | null {
    return this.link?.downstreamPc ?? null;
  }

  private handle(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.ice = message.ice;
        this.retries = 0;
        this.setConnection('live');
        this.connectMedia();
        return this.handlers.onMessage(message);
      case 'publish-answer':
        return this.link?.answer(message.sdp);
      case 'subscribe-offer':
        return this.link?.offer(message.sdp, message.tracks);
      case 'subscribe-tracks':
        return this.link?.tracks(message.tracks);
      case 'layers':
        return this.link?.setLayers(message.source, message.active);
      case 'removed':
        return this.finish(message.rejoin ? 'kicked' : 'removed');
      case 'ended':
        return this.finish('ended');
      case 'error':
        return this.error(message.code, message.message);
      default:
        return this.handlers.onMessage(message);
    }
  }

  private error(code: RoomErrorCode, message: string): void {
    const final = FINAL_ERROR[code];
    if (final) return this.finish(final, { code, message });
    if (this.state !== 'live') {
      // `hello` was refused. A server fault is worth another try; anything else is final.
      if (code === 'internal' || code === 'serverClosing') {
        this.signaling.close();
        return this.dropped();
      }
      return this.finish('refused', { code, message });
    }
    this.handlers.onError(code, message);
  }

  private dropped(minDelay = 0): void {
    if (this.state === 'done') return;
    this.disconnectMedia();
    this.setConnection('reconnecting');
    const delay = Math.max(minDelay, RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)] ?? 5000);
    this.retries++;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      if (this.state === 'reconnecting') this.connect();
    }, delay);
  }

  private setConnection(connection: Connection): void {
    const previous = this.state;
    this.state = connection;
    this.handlers.onConnection(connection, previous);
  }

  private connectMedia(): void {
    const prepared = this.prepared;
    this.prepared = null;
    this.disconnectMedia();
    this.link = new MediaLink((message) => this.signaling.send(message), this.handlers.tracks(), { onRemoteMedia: (media) => this.handlers.onRemoteMedia(media), onFailure: (what, error) => this.recover(what, error) }, this.ice, prepared);
  }

  private disconnectMedia(): void {
    this.prepared?.close();
    this.prepared = null;
    this.link?.close();
    this.link = null;
    this.handlers.onRemoteMedia(new Map());
  }

  /**
   * A negotiation or connection failed: start over as the same participant (new socket, new peer
   * connections), spacing attempts out so a persistent fault does not spin.
   */
  private recover(what: string, error: unknown): void {
    if (this.state !== 'live') return;
    console.warn(`vconf: ${what} failed; reconnecting`, error);
    const now = performance.now();
    this.recoveries = now - this.lastRecovery > 60_000 ? 1 : this.recoveries + 1;
    this.lastRecovery = now;
    // "Back in a moment": the server shows this participant as reconnecting, not as leaving.
    this.signaling.close(CloseCode.reconnecting);
    this.dropped(RETRY_MS[Math.min(this.recoveries, RETRY_MS.length - 1)]);
  }
}
