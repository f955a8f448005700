import type { ServerMessage } from '../protocol/room.js';
import { ActiveSpeakers, DEFAULT_SPEAKER_OPTIONS, type SpeakerChanges, type SpeakerOptions } from './active-speaker.js';

/** How often a room decides who speaks: often enough that a ring lights up promptly, rare enough to cost nothing. */
export const SPEAKER_TICK_MS = 100;

export interface SpeakerOutput {
  broadcast(message: ServerMessage, exceptId?: string): void;
  /** Whether the participant is in the room and connected (others are forgotten at the next tick). */
  present(participantId: string): boolean;
}

/**
 * One room's server-side voice activity: levels from the SFU go in, `speaking` and `active-speaker`
 * frames go out. The timer runs only while someone's levels are measured.
 */
export class RoomSpeakers {
  private readonly speakers: ActiveSpeakers;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly out: SpeakerOutput,
    options: SpeakerOptions = DEFAULT_SPEAKER_OPTIONS,
    private readonly tickMs = SPEAKER_TICK_MS,
  ) {
    this.speakers = new ActiveSpeakers(options);
  }

  /** One packet's level (the SFU's onAudioLevel). */
  readonly level = (participantId: string, dbov: number): void => {
    this.speakers.level(participantId, dbov);
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref?.();
  };

  /** Whether the server measures this participant's voice (then their page's own `speaking` is not needed). */
  measured(participantId: string): boolean {
    return this.speakers.measured(participantId);
  }

  /** Their microphone went off, or their page went quiet: not speaking, at once. */
  quiet(participantId: string): void {
    this.emit(this.speakers.quiet(participantId));
  }

  remove(participantId: string): void {
    this.emit(this.speakers.remove(participantId));
  }

  /** What a newcomer is told: who speaks now and who the active speaker is. */
  snapshot(): ServerMessage[] {
    const out: ServerMessage[] = this.speakers.speakers().map((participantId) => ({ type: 'speaking', participantId, speaking: true }));
    const dominant = this.speakers.dominant;
    if (dominant !== null) out.push({ type: 'active-speaker', participantId: dominant });
    return out;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    for (const id of this.speakers.participants()) if (!this.out.present(id)) this.remove(id);
    this.emit(this.speakers.tick(performance.now()));
    if (this.speakers.participants().next().done) this.close();
  }

  private emit(changes: SpeakerChanges | undefined): void {
    if (!changes) return;
    for (const { participantId, speaking } of changes.speaking) this.out.broadcast({ type: 'speaking', participantId, speaking }, participantId);
    if (changes.dominant) this.out.broadcast({ type: 'active-speaker', participantId: changes.dominant.participantId });
  }
}
