/** The meeting page's pure logic: grid fitting, voice-activity hysteresis, room-code text. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRoomCode, normalizeDigits, ROOM_CODE_PATTERN } from '../../web/src/format.js';
import { DEFAULT_SPEAKING, levelFromRms, SpeakingDetector } from '../../web/src/media/speaking.js';
import { chooseGrid, fitGrid } from '../../web/src/room/layout.js';

describe('fitGrid', () => {
  it('fills a 16:9 box with one tile and splits two side by side', () => {
    expect(fitGrid(1, 1600, 900)).toEqual({ cols: 1, rows: 1, width: 1600, height: 900 });
    expect(fitGrid(2, 1600, 900, 16 / 9, 8)).toMatchObject({ cols: 2, rows: 1, width: 796 });
    expect(fitGrid(4, 1600, 900, 16 / 9, 8)).toMatchObject({ cols: 2, rows: 2 });
  });

  it('always places every tile inside the box at the requested shape', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 49 }), fc.integer({ min: 120, max: 4000 }), fc.integer({ min: 120, max: 3000 }), (n, w, h) => {
        const fit = fitGrid(n, w, h, 16 / 9, 8);
        expect(fit.cols * fit.rows).toBeGreaterThanOrEqual(n);
        expect(fit.cols * fit.width + 8 * (fit.cols - 1)).toBeLessThanOrEqual(w);
        expect(fit.rows * fit.height + 8 * (fit.rows - 1)).toBeLessThanOrEqual(h);
        expect(Math.abs(fit.width / 16 - fit.height / 9)).toBeLessThan(1);
      }),
    );
  });

  it('keeps 16:9 when the box is filled, and changes shape only for clearly larger tiles', () => {
    const full = chooseGrid(1, 1600, 900);
    expect(full.width / full.height).toBeCloseTo(16 / 9, 1);
    // Two people side by side on a laptop leave height unused at 16:9; 4:3 tiles are a third larger.
    const pair = chooseGrid(2, 1240, 640);
    expect(pair.width / pair.height).toBeCloseTo(4 / 3, 1);
    // A phone held upright gets an upright tile.
    const phone = chooseGrid(1, 380, 640);
    expect(phone.height).toBeGreaterThan(phone.width);
  });
});

describe('SpeakingDetector', () => {
  const { startLevel, stopLevel, startMs, stopMs, release } = DEFAULT_SPEAKING;
  const run = (detector: SpeakingDetector, level: number, from: number, to: number, step = 10) => {
    const changes: number[] = [];
    for (let t = from; t <= to; t += step) if (detector.update(level, t)) changes.push(t);
    return changes;
  };

  it('starts after sustained speech and stops only after the envelope has fallen and stayed low', () => {
    const d = new SpeakingDetector();
    expect(run(d, 0.9, 0, 1000)).toEqual([startMs]);
    expect(d.speaking).toBe(true);
    const changes = run(d, 0.05, 1010, 4000);
    const fallen = 1000 + ((0.9 - stopLevel) / release) * 1000;
    expect(changes).toHaveLength(1);
    expect(changes[0]).toBeGreaterThanOrEqual(fallen + stopMs);
    expect(changes[0]).toBeLessThanOrEqual(fallen + stopMs + 20);
    expect(d.speaking).toBe(false);
  });

  it('ignores a faint blip, and keeps speaking through a pause between words', () => {
    const d = new SpeakingDetector();
    run(d, startLevel + 0.03, 0, 50);
    run(d, 0, 60, 1000);
    expect(d.speaking).toBe(false);
    run(d, 0.9, 1010, 2000);
    expect(run(d, 0, 2010, 2300)).toEqual([]);
    expect(d.speaking).toBe(true);
  });

  it('bridges short loud bursts with gaps (syllables; the fake test device beeps twice a second)', () => {
    const d = new SpeakingDetector();
    const changes: number[] = [];
    for (let t = 0; t < 3000; t += 10) if (d.update(t % 500 < 80 ? 0.85 : 0, t)) changes.push(t);
    expect(changes).toHaveLength(1);
    expect(d.speaking).toBe(true);
  });

  it('falls silent at once when reset (microphone turned off)', () => {
    const d = new SpeakingDetector();
    run(d, 0.9, 0, 500);
    expect(d.reset()).toBe(true);
    expect(d.speaking).toBe(false);
    expect(run(d, 0, 510, 600)).toEqual([]);
  });

  it('never changes state on levels between the two thresholds', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.double({ min: stopLevel, max: startLevel, noNaN: true }), { maxLength: 300 }), (start, levels) => {
        const d = new SpeakingDetector();
        if (start) run(d, 1, 0, 1000);
        const before = d.speaking;
        levels.forEach((level, i) => d.update(level, 2000 + i * 10));
        expect(d.speaking).toBe(before);
      }),
    );
  });

  it('maps amplitude to a 0..1 level, rising with loudness', () => {
    expect(levelFromRms(0)).toBe(0);
    expect(levelFromRms(0.001)).toBe(0);
    expect(levelFromRms(1)).toBe(1);
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
      expect(Math.sign(levelFromRms(Math.max(a, b)) - levelFromRms(Math.min(a, b)))).toBeGreaterThanOrEqual(0);
    }));
  });
});

describe('room codes', () => {
  it('reads codes as people type or paste them', () => {
    expect(normalizeDigits('685 5070 8396')).toBe('68550708396');
    expect(normalizeDigits(' 685-5070-8396 ')).toBe('68550708396');
    expect(ROOM_CODE_PATTERN.test(normalizeDigits('685 5070 839'))).toBe(false);
    expect(formatRoomCode('68550708396')).toBe('685 5070 8396');
  });

  it('formats every 11-digit code so that it reads back unchanged', () => {
    fc.assert(fc.property(fc.stringMatching(/^\d{11}$/), (code) => {
      expect(normalizeDigits(formatRoomCode(code))).toBe(code);
    }));
  });
});
