/**
 * Who is speaking, and who is the meeting's active (dominant) speaker, decided on the server from
 * the audio levels publishers put in their packets (RFC 6464: 0 = loudest, 127 = silence, in -dBov).
 *
 * Per packet only a table look-up and two additions happen (level()); every `tickMs` the room calls
 * tick(), which turns the interval's mean energy into a level, smooths it, and decides:
 *  - speaking: an envelope (instant rise, slow fall, bridging syllable gaps) above `startDb` for
 *    `startMs` starts speech, below `stopDb` for `hangoverMs` ends it;
 *  - the dominant speaker: stays until they fall quiet for `yieldMs` (or stop) while someone else
 *    speaks, or until a challenger is `marginDb` louder (slow average) for `overtakeMs`; never twice
 *    within `dwellMs`.
 *    Silence keeps the last dominant speaker (speaker view keeps showing them).
 */

export interface SpeakerOptions {
  /** Envelope level (dBov, negative) above which speech may start. */
  startDb: number;
  /** Envelope level below which speech may stop. */
  stopDb: number;
  startMs: number;
  /** How long the envelope must stay below stopDb before speech ends. */
  hangoverMs: number;
  /** Fall of the envelope, dB per second. */
  releaseDbPerS: number;
  /**
   * How long the dominant speaker's own level must stay below stopDb before someone who speaks takes
   * over: longer than a pause between words, shorter than the speaking hangover, so a change of
   * talker shows promptly.
   */
  yieldMs: number;
  /** Time constant of the slow average that ranks simultaneous speakers. */
  averageMs: number;
  /** How much louder a challenger must be to take over from a dominant speaker who still speaks. */
  marginDb: number;
  overtakeMs: number;
  /** Least time between two changes of the dominant speaker. */
  dwellMs: number;
}

export const DEFAULT_SPEAKER_OPTIONS: SpeakerOptions = {
  startDb: -45,
  stopDb: -52,
  startMs: 150,
  hangoverMs: 700,
  yieldMs: 400,
  releaseDbPerS: 40,
  averageMs: 1500,
  marginDb: 8,
  overtakeMs: 1200,
  dwellMs: 1500,
};

/** Level reported for silence (and for an interval without packets). */
export const SILENCE_DB = -127;

/** Linear power of each RFC 6464 level, so a packet costs no Math.pow. */
const POWER = Float64Array.from({ length: 128 }, (_, i) => 10 ** (-i / 10));

/** What changed at one tick; undefined when nothing did. */
export interface SpeakerChanges {
  /** Participants whose speaking state flipped, with the new state. */
  speaking: Array<{ participantId: string; speaking: boolean }>;
  /** Set when the dominant speaker changed (null: they left and nobody replaced them). */
  dominant?: { participantId: string | null };
}

class Voice {
  energy = 0;
  packets = 0;
  envelope = SILENCE_DB;
  average = SILENCE_DB;
  speaking = false;
  /** When the envelope first crossed the threshold that would flip `speaking`; undefined when not crossing. */
  crossingSince: number | undefined;
  /** Since when the interval levels (not the envelope) have stayed below stopDb; undefined while louder. */
  quietSince: number | undefined;
}

export class ActiveSpeakers {
  private readonly voices = new Map<string, Voice>();
  private dominantId: string | null = null;
  private switchedAt = -Infinity;
  private challengerId: string | null = null;
  private challengerSince = 0;
  private lastTick: number | undefined;

  constructor(private readonly options: SpeakerOptions = DEFAULT_SPEAKER_OPTIONS) {}

  get dominant(): string | null {
    return this.dominantId;
  }

  /** Whether the participant's levels are measured here (their page's own `speaking` is then ignored). */
  measured(participantId: string): boolean {
    return this.voices.has(participantId);
  }

  isSpeaking(participantId: string): boolean {
    return this.voices.get(participantId)?.speaking ?? false;
  }

  /** Everyone whose levels are measured. */
  participants(): IterableIterator<string> {
    return this.voices.keys();
  }

  /** Everyone speaking now. */
  speakers(): string[] {
    return [...this.voices].filter(([, v]) => v.speaking).map(([id]) => id);
  }

  /** One packet's level, 0 (loudest) to 127 (silence), -dBov; out-of-range values are clamped. */
  level(participantId: string, dbov: number): void {
    let voice = this.voices.get(participantId);
    if (!voice) {
      voice = new Voice();
      this.voices.set(participantId, voice);
    }
    voice.energy += POWER[dbov < 0 ? 0 : dbov > 127 ? 127 : dbov | 0]!;
    voice.packets++;
  }

  /** The participant's microphone was turned off: not speaking from now on, without waiting for the hangover. */
  quiet(participantId: string): SpeakerChanges | undefined {
    const voice = this.voices.get(participantId);
    if (!voice) return undefined;
    voice.energy = 0;
    voice.packets = 0;
    voice.envelope = SILENCE_DB;
    voice.crossingSince = undefined;
    voice.quietSince = undefined;
    if (!voice.speaking) return undefined;
    voice.speaking = false;
    return { speaking: [{ participantId, speaking: false }] };
  }

  /** The participant left (or their microphone is gone): forget them. */
  remove(participantId: string): SpeakerChanges | undefined {
    const voice = this.voices.get(participantId);
    this.voices.delete(participantId);
    const changes: SpeakerChanges = { speaking: voice?.speaking ? [{ participantId, speaking: false }] : [] };
    if (this.challengerId === participantId) this.challengerId = null;
    if (this.dominantId === participantId) {
      // Whoever is speaking now takes over at once; otherwise nobody is shown as the active speaker.
      this.dominantId = this.loudest(participantId, (v) => v.speaking);
      this.switchedAt = this.lastTick ?? 0;
      changes.dominant = { participantId: this.dominantId };
    }
    return changes.speaking.length || changes.dominant ? changes : undefined;
  }

  /** Decides from the levels heard since the last tick; `now` in ms. */
  tick(now: number): SpeakerChanges | undefined {
    const o = this.options;
    const dt = this.lastTick === undefined ? 0 : Math.max(0, now - this.lastTick);
    this.lastTick = now;
    const speaking: SpeakerChanges['speaking'] = [];
    const blend = dt / (o.averageMs + dt);
    for (const [participantId, v] of this.voices) {
      const db = v.packets ? Math.max(SILENCE_DB, 10 * Math.log10(v.energy / v.packets)) : SILENCE_DB;
      v.energy = 0;
      v.packets = 0;
      v.envelope = Math.max(db, v.envelope - (o.releaseDbPerS * dt) / 1000);
      if (db >= o.stopDb) v.quietSince = undefined;
      else v.quietSince ??= now;
      const crossing = v.speaking ? v.envelope < o.stopDb : v.envelope > o.startDb;
      if (!crossing) v.crossingSince = undefined;
      else {
        v.crossingSince ??= now;
        if (now - v.crossingSince >= (v.speaking ? o.hangoverMs : o.startMs)) {
          v.speaking = !v.speaking;
          v.crossingSince = undefined;
          // A new talker is ranked from their present level, not from the silence before.
          if (v.speaking) v.average = v.envelope;
          speaking.push({ participantId, speaking: v.speaking });
        }
      }
      v.average += (v.envelope - v.average) * blend;
    }
    const next = this.decideDominant(now);
    const changes: SpeakerChanges = { speaking };
    if (next !== this.dominantId) {
      this.dominantId = next;
      this.switchedAt = now;
      this.challengerId = null;
      changes.dominant = { participantId: next };
    }
    return speaking.length || changes.dominant ? changes : undefined;
  }

  private decideDominant(now: number): string | null {
    const o = this.options;
    const current = this.dominantId === null ? undefined : this.voices.get(this.dominantId);
    if (now - this.switchedAt < o.dwellMs && current) return this.dominantId;
    const challenger = this.loudest(this.dominantId, (v) => v.speaking);
    if (challenger === null) return current ? this.dominantId : null;
    // The dominant speaker stopped (or is gone, or has been quiet past a pause) and someone else speaks: they take over.
    if (!current || !current.speaking || (current.quietSince !== undefined && now - current.quietSince >= o.yieldMs)) return challenger;
    const lead = this.voices.get(challenger)!.average - current.average;
    if (lead < o.marginDb) {
      this.challengerId = null;
      return this.dominantId;
    }
    if (this.challengerId !== challenger) {
      this.challengerId = challenger;
      this.challengerSince = now;
    }
    return now - this.challengerSince >= o.overtakeMs ? challenger : this.dominantId;
  }

  /** The participant (other than `except`) with the highest slow average among those `eligible`. */
  private loudest(except: string | null, eligible: (v: Voice) => boolean): string | null {
    let best: string | null = null;
    let bestAverage = -Infinity;
    for (const [id, v] of this.voices) {
      if (id === except || !eligible(v) || v.average <= bestAverage) continue;
      best = id;
      bestAverage = v.average;
    }
    return best;
  }
}
