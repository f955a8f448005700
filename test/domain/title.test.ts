/** The title rule of the seed page, counted in Unicode code points. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rejection } from '../../src/domain/rejection.js';
import { TITLE_KEPT, TITLE_MAX, normalizeTitle } from '../../src/domain/title.js';

const codePoints = (s: string) => Array.from(s).length;

function rejection(title: string): Rejection {
  try {
    normalizeTitle(title);
  } catch (err) {
    if (err instanceof Rejection) return err;
    throw err;
  }
  throw new Error(`"${title}" was accepted`);
}

describe('normalizeTitle', () => {
  it('keeps 50 and truncates 51 to 256 characters to 50', () => {
    expect([TITLE_KEPT, TITLE_MAX]).toEqual([50, 256]);
    expect(normalizeTitle('a'.repeat(50))).toBe('a'.repeat(50));
    expect(normalizeTitle('b'.repeat(51))).toBe('b'.repeat(50));
    expect(normalizeTitle('c'.repeat(256))).toBe('c'.repeat(50));
  });

  it('refuses more than 256 characters as invalidTitle', () => {
    expect(rejection('d'.repeat(257)).reason).toBe('invalidTitle');
    expect(rejection('😀'.repeat(257)).reason).toBe('invalidTitle');
  });

  it('refuses empty and whitespace-only titles as invalidTitle', () => {
    for (const blank of ['', ' ', '\t\n', '\u3000\u00a0']) expect(rejection(blank).reason).toBe('invalidTitle');
  });

  it('refuses a title whose kept first 50 characters are blank', () => {
    expect(rejection(`${' '.repeat(50)}x`).reason).toBe('invalidTitle');
  });

  it('keeps surrounding whitespace of a non-blank title', () => {
    expect(normalizeTitle('  Weekly  ')).toBe('  Weekly  ');
  });

  it('counts CJK characters and emoji as one each', () => {
    expect(normalizeTitle('会'.repeat(50))).toBe('会'.repeat(50));
    expect(normalizeTitle('😀'.repeat(50))).toBe('😀'.repeat(50));
    expect(normalizeTitle(`${'a'.repeat(49)}😀b`)).toBe(`${'a'.repeat(49)}😀`);
    expect(normalizeTitle('😀'.repeat(256))).toBe('😀'.repeat(50));
  });

  it('returns a well-formed prefix of at most 50 code points for any acceptable title', () => {
    const title = fc.string({ unit: fc.constantFrom('a', ' ', '会', '😀', '👍🏽', 'é', '\u0301'), minLength: 1, maxLength: TITLE_MAX });
    fc.assert(
      fc.property(title.filter((t) => t.trim() !== ''), (t) => {
        const out = normalizeTitle(t);
        expect(t.startsWith(out)).toBe(true);
        expect(codePoints(out)).toBe(Math.min(codePoints(t), TITLE_KEPT));
        expect(out).not.toMatch(/\p{Cs}/u); // no lone surrogate: no emoji was halved
      }),
    );
  });

  it('decides acceptance on the code-point count alone', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 400 }), (t) => {
        const accepted = (() => {
          try {
            normalizeTitle(t);
            return true;
          } catch {
            return false;
          }
        })();
        expect(accepted).toBe(codePoints(t) <= TITLE_MAX && t.trim() !== '');
      }),
    );
  });
});
