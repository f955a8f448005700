import { h } from '../dom';

type SinkCapable = HTMLAudioElement & { setSinkId?(id: string): Promise<void> };

/**
 * One <audio> per remote participant, kept out of the tiles so layout changes never interrupt sound.
 * Browsers may refuse to start audio before the person has interacted with the page (a reload straight
 * into the room): `onBlocked` reports that, and `resume()` retries from a click.
 */
export class RemoteAudio {
  readonly el = h('div', { class: 'audio-sink', 'aria-hidden': 'true' });
  private readonly players = new Map<string, { audio: SinkCapable; track: MediaStreamTrack }>();
  blocked = false;
  private readonly onGesture = () => this.resume();

  constructor(
    private sinkId: string | undefined,
    private readonly onBlocked: (blocked: boolean) => void,
  ) {
    document.addEventListener('pointerdown', this.onGesture, { capture: true });
  }

  /** Plays exactly these tracks (participantId → mic track). */
  sync(tracks: Map<string, MediaStreamTrack | null>): void {
    for (const [id, player] of this.players) {
      if (tracks.get(id) !== player.track) {
        player.audio.srcObject = null;
        player.audio.remove();
        this.players.delete(id);
      }
    }
    for (const [id, track] of tracks) {
      if (!track || this.players.has(id)) continue;
      const audio: SinkCapable = h('audio', { autoplay: true, 'data-participant-id': id });
      audio.srcObject = new MediaStream([track]);
      if (this.sinkId && audio.setSinkId) void audio.setSinkId(this.sinkId).catch(() => undefined);
      this.el.append(audio);
      this.players.set(id, { audio, track });
      this.play(audio);
    }
  }

  private play(audio: HTMLAudioElement): void {
    audio.play().then(
      () => this.setBlocked(false),
      (error: unknown) => {
        if (error instanceof DOMException && error.name === 'NotAllowedError') this.setBlocked(true);
      },
    );
  }

  private setBlocked(blocked: boolean): void {
    if (blocked === this.blocked) return;
    this.blocked = blocked;
    this.onBlocked(blocked);
  }

  resume(): void {
    if (!this.blocked) return;
    for (const { audio } of this.players.values()) this.play(audio);
    if (this.players.size === 0) this.setBlocked(false);
  }

  setSink(deviceId: string): void {
    this.sinkId = deviceId;
    for (const { audio } of this.players.values()) void audio.setSinkId?.(deviceId).catch(() => undefined);
  }

  dispose(): void {
    document.removeEventListener('pointerdown', this.onGesture, { capture: true });
    for (const { audio } of this.players.values()) audio.srcObject = null;
    this.players.clear();
    this.el.replaceChildren();
  }
}
