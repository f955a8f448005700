// Voice activity with hysteresis: the level is first smoothed by an envelope (instant rise, slow fall,
// bridging the gaps between syllables), then a louder threshold starts speech and a quieter one ends
// it, each held for a while, so the active-speaker highlight does not flicker between words.

export interface SpeakingOptions {
  /** Level (0..1) above which speech may start. */
  startLevel: number;
  /** Level below which speech may stop. */
  stopLevel: number;
  /** How long the level must stay above startLevel. */
  startMs: number;
  /** How long the level must stay below stopLevel. */
  stopMs: number;
  /** How fast the envelope falls, in level units per second (0.6 ≈ 36 dB/s). */
  release: number;
}

export const DEFAULT_SPEAKING: SpeakingOptions = { startLevel: 0.42, stopLevel: 0.3, startMs: 200, stopMs: 600, release: 0.6 };

export class SpeakingDetector {
  speaking = false;
  private since: number | null = null;
  private envelope = 0;
  private last: number | null = null;

  constructor(private readonly options: SpeakingOptions = DEFAULT_SPEAKING) {}

  /** Feeds one level sample; returns true when `speaking` changed. */
  update(sample: number, now: number): boolean {
    const { startLevel, stopLevel, startMs, stopMs, release } = this.options;
    const elapsed = this.last === null ? 0 : Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.envelope = Math.max(sample, this.envelope - release * elapsed);
    const level = this.envelope;
    const crossing = this.speaking ? level < stopLevel : level > startLevel;
    if (!crossing) {
      this.since = null;
      return false;
    }
    this.since ??= now;
    if (now - this.since < (this.speaking ? stopMs : startMs)) return false;
    this.speaking = !this.speaking;
    this.since = null;
    return true;
  }

  /** Forces silence (mic muted): returns true when that is a change. */
  reset(): boolean {
    this.since = null;
    this.envelope = 0;
    const changed = this.speaking;
    this.speaking = false;
    return changed;
  }
}

/** Maps an RMS amplitude (0..1) to a perceptual 0..1 level: -60 dBFS and below is 0, 0 dBFS is 1. */
export function levelFromRms(rms: number): number {
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}
