import fc from 'fast-check';
import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { ActiveSpeakers, DEFAULT_SPEAKER_OPTIONS as O, type SpeakerChanges } from '../../src/rtc/active-speaker.js';
import { audioLevelOf, pcmAudioLevel } from '../../src/rtc/sfu/audio-level.js';

const TICK = 100;
/** Levels in -dBov: speech well above the start threshold, and silence. */
const LOUD = 20;
const QUIET = 127;

/** Drives a detector tick by tick: each tick, every participant sends 5 packets (20 ms each) at its level. */
class Clock {
  now = 0;
  readonly changes: Array<{ at: number } & SpeakerChanges> = [];
  constructor(readonly s = new ActiveSpeakers()) {}

  run(ms: number, levels: Record<string, number | undefined>): void {
    for (let end = this.now + ms; this.now < end; ) {
      for (const [id, level] of Object.entries(levels)) if (level !== undefined) for (let i = 0; i < 5; i++) this.s.level(id, level);
      this.now += TICK;
      const c = this.s.tick(this.now);
      if (c) this.changes.push({ at: this.now, ...c });
    }
  }

  get dominantChanges(): Array<{ at: number; id: string | null }> {
    return this.changes.filter((c) => c.dominant).map((c) => ({ at: c.at, id: c.dominant!.participantId }));
  }
}

describe('server-side voice activity and active speaker', () => {
  it('starts speaking after a short onset, holds through a pause between words, stops after the hangover', () => {
    const c = new Clock();
    c.run(TICK, { a: LOUD });
    expect(c.s.isSpeaking('a')).toBe(false);
    c.run(300, { a: LOUD });
    expect(c.s.isSpeaking('a')).toBe(true);
    expect(c.s.dominant).toBe('a');
    // A 400 ms gap between words keeps the ring on.
    c.run(400, { a: QUIET });
    expect(c.s.isSpeaking('a')).toBe(true);
    c.run(500, { a: LOUD });
    c.run(3000, { a: QUIET });
    expect(c.s.isSpeaking('a')).toBe(false);
    // Silence keeps the last active speaker for speaker view.
    expect(c.s.dominant).toBe('a');
    expect(c.changes.flatMap((x) => x.speaking)).toEqual([
      { participantId: 'a', speaking: true },
      { participantId: 'a', speaking: false },
    ]);
  });

  it('treats a faint background (below the start threshold) and missing packets as silence', () => {
    const c = new Clock();
    c.run(3000, { a: 60, b: undefined });
    expect(c.s.speakers()).toEqual([]);
    expect(c.s.dominant).toBeNull();
  });

  it('hands over when the active speaker stops and another talks (turn-taking)', () => {
    const c = new Clock();
    c.run(3000, { a: LOUD, b: QUIET });
    c.run(3000, { a: QUIET, b: LOUD });
    expect(c.dominantChanges.map((d) => d.id)).toEqual(['a', 'b']);
    // b takes over once a has been quiet for longer than a pause between words: well within a second.
    expect(c.dominantChanges[1]!.at - 3000).toBeLessThanOrEqual(O.yieldMs + 2 * TICK);
  });

  it('keeps the active speaker through pauses between words while a listener murmurs', () => {
    const c = new Clock();
    c.run(2000, { a: LOUD, b: QUIET });
    for (let i = 0; i < 10; i++) {
      c.run(700, { a: LOUD, b: QUIET });
      // a pauses for 300 ms; b says "mm-hm" through it.
      c.run(300, { a: QUIET, b: 35 });
    }
    expect(c.dominantChanges.map((d) => d.id)).toEqual(['a']);
  });

  it('lets a much louder interrupter take over only after holding the lead', () => {
    const c = new Clock();
    c.run(3000, { a: 40, b: QUIET });
    c.run(O.overtakeMs / 2, { a: 40, b: 10 });
    expect(c.s.dominant).toBe('a');
    c.run(3000, { a: 40, b: 10 });
    expect(c.s.dominant).toBe('b');
  });

  it('ends speaking at once on quiet() (microphone off), and replaces a departed active speaker', () => {
    const c = new Clock();
    c.run(2000, { a: LOUD, b: 30 });
    expect(c.s.dominant).toBe('a');
    expect(c.s.quiet('b')).toEqual({ speaking: [{ participantId: 'b', speaking: false }] });
    c.run(500, { a: LOUD, b: 30 });
    expect(c.s.remove('a')).toEqual({ speaking: [{ participantId: 'a', speaking: false }], dominant: { participantId: 'b' } });
    expect(c.s.remove('b')).toEqual({ speaking: [{ participantId: 'b', speaking: false }], dominant: { participantId: null } });
  });

  it('property: two people talking at nearly the same level never make the active speaker flap', () => {
    const half = (O.marginDb - 1) / 2;
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 35 }), fc.array(fc.tuple(fc.double({ min: -half, max: half, noNaN: true }), fc.double({ min: -half, max: half, noNaN: true })), { minLength: 50, maxLength: 200 }), (base, noise) => {
        const c = new Clock();
        for (const [da, db] of noise) c.run(TICK, { a: Math.round(base + da), b: Math.round(base + db) });
        expect(c.dominantChanges.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });

  it('property: whatever the levels, the active speaker never changes twice within the dwell time', () => {
    const level = fc.oneof(fc.constant(QUIET), fc.integer({ min: 0, max: 127 }), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(fc.record({ a: level, b: level, c: level, ms: fc.integer({ min: 100, max: 2000 }) }), { minLength: 1, maxLength: 40 }), (steps) => {
        const c = new Clock();
        for (const { ms, ...levels } of steps) c.run(ms, levels);
        const at = c.dominantChanges.map((d) => d.at);
        for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(O.dwellMs);
      }),
      { numRuns: 150 },
    );
  });

  it('property: after any history, silence long enough leaves nobody speaking', () => {
    const level = fc.oneof(fc.integer({ min: 0, max: 127 }), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(fc.record({ a: level, b: level, ms: fc.integer({ min: 100, max: 1500 }) }), { maxLength: 30 }), fc.boolean(), (steps, noPackets) => {
        const c = new Clock();
        for (const { ms, ...levels } of steps) c.run(ms, levels);
        // From the loudest envelope (0 dBov) down past the stop threshold, then the hangover.
        const settle = ((0 - O.stopDb) / O.releaseDbPerS) * 1000 + O.hangoverMs + 2 * TICK;
        c.run(settle, noPackets ? {} : { a: QUIET, b: QUIET });
        expect(c.s.speakers()).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('audio levels from packets and PCM', () => {
  it('reads the RFC 6464 level from the negotiated extension id, ignoring the voice-activity bit', () => {
    const header = new RtpHeader({ sequenceNumber: 1, timestamp: 0, ssrc: 1, extension: true });
    header.extensions = [
      { id: 4, payload: Buffer.from([0x01]) },
      { id: 1, payload: Buffer.from([0x80 | 37]) },
    ];
    const packet = new RtpPacket(header, Buffer.alloc(10));
    expect(audioLevelOf(packet, 1)).toBe(37);
    expect(audioLevelOf(packet, 9)).toBe(-1);
    // Survives the wire.
    expect(audioLevelOf(RtpPacket.deSerialize(packet.serialize()), 1)).toBe(37);
  });

  it('measures PCM: a full-scale square wave is 0 dBov, half scale about 6, silence 127', () => {
    expect(pcmAudioLevel(new Int16Array(160).map((_, i) => (i % 2 ? 32767 : -32767)))).toBe(0);
    expect(pcmAudioLevel(new Int16Array(160).map((_, i) => (i % 2 ? 16384 : -16384)))).toBe(6);
    expect(pcmAudioLevel(new Int16Array(160))).toBe(127);
  });
});
