import type { RtpPacket } from 'werift';
import type { Source } from './types.js';
import { UpstreamTrack, type RtpSink } from './upstream-track.js';

/** The mid a server-produced voice is known by (it has no SDP of its own). */
const LOCAL_MID = 'voice';
/** Payload type of a server-produced Opus voice, as the SFU's Opus (options.ts); a recording's tap declares it. */
export const LOCAL_OPUS_PT = 111;

/**
 * A participant whose voice the server itself produces (a phone caller, src/sip): one Opus track
 * that subscribers receive exactly like a browser's microphone, without a WebRTC connection.
 * It has the Publisher's shape as far as the room uses it.
 */
export class LocalPublisher {
  readonly tracks = new Map<string, UpstreamTrack>();
  private readonly voice: UpstreamTrack;

  constructor(readonly participantId: string) {
    this.voice = new UpstreamTrack(participantId, LOCAL_MID, 'mic', undefined, true, { mimeType: 'audio/opus', clockRate: 48000, payloadType: LOCAL_OPUS_PT, channels: 2 });
    this.tracks.set(LOCAL_MID, this.voice);
  }

  /**
   * One Opus packet (48 kHz clock) of the participant's voice, with the level of the PCM it was
   * encoded from (-dBov, 0…127; see pcmAudioLevel) for the server's active speaker.
   */
  send(packet: RtpPacket, level?: number): void {
    this.voice.receive(packet);
    if (level !== undefined && this.voice.forwarding) this.voice.onLevel?.(this.participantId, level);
  }

  get forwarding(): boolean {
    return this.voice.forwarding;
  }

  setForwarding(source: Source, enabled: boolean): void {
    if (source === 'mic') this.voice.setForwarding(enabled);
  }

  async close(): Promise<void> {
    this.voice.close();
    this.tracks.clear();
  }
}

/** Hears the room's browser microphones on the server (the phone mixer): every packet, tagged with its participant. */
export type AudioListener = (participantId: string, packet: RtpPacket) => void;

/**
 * Attaches one sink per WebRTC audio track to a listener. Muted tracks deliver nothing (their
 * UpstreamTrack drops packets before any sink), so the listener never hears a muted participant.
 */
export class AudioTaps {
  private readonly sinks = new Map<UpstreamTrack, RtpSink>();
  private listener: AudioListener | undefined;

  set(listener: AudioListener | undefined, tracks: UpstreamTrack[]): void {
    this.clear();
    this.listener = listener;
    this.sync(tracks);
  }

  /** Brings the sinks in line with the audio tracks published now. */
  sync(tracks: UpstreamTrack[]): void {
    const listener = this.listener;
    if (!listener) return;
    const wanted = new Set(tracks.filter((t) => t.kind === 'audio'));
    for (const [track, sink] of this.sinks) {
      if (wanted.has(track)) continue;
      track.detach(sink);
      this.sinks.delete(track);
    }
    for (const track of wanted) {
      if (this.sinks.has(track)) continue;
      const sink: RtpSink = { deliver: (packet) => listener(track.participantId, packet), restart: () => undefined };
      track.attach(sink);
      this.sinks.set(track, sink);
    }
  }

  clear(): void {
    for (const [track, sink] of this.sinks) track.detach(sink);
    this.sinks.clear();
  }
}
