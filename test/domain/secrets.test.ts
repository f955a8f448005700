/** The random codes, tokens and hashes behind room codes, passcodes, join links and access tokens. */
import { describe, expect, it } from 'vitest';
import { hmacHex, randomDigits, randomHex, randomToken, secretsEqual, sha256Hex, timeOrderedId } from '../../src/domain/secrets.js';

describe('randomDigits', () => {
  it('gives exactly `length` digits with no leading zero', () => {
    for (const length of [1, 6, 10, 11, 12, 13, 25]) {
      for (let i = 0; i < 200; i++) expect(randomDigits(length)).toMatch(new RegExp(`^[1-9]\\d{${length - 1}}$`));
    }
  });

  it('uses every digit in every position after the first', () => {
    const seen = Array.from({ length: 11 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...randomDigits(11)].forEach((d, p) => seen[p]!.add(d));
    expect(seen[0]!.size).toBe(9);
    for (const position of seen.slice(1)) expect(position.size).toBe(10);
  });

  it('spreads values evenly enough for codes people cannot guess', () => {
    const counts = new Array<number>(10).fill(0);
    const n = 20_000;
    for (let i = 0; i < n / 10; i++) for (const d of randomDigits(11).slice(1)) counts[Number(d)]!++;
    // Each digit expected n/10 = 2000 times; ±15% is far outside chance for a fair source.
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(n / 10 * 0.15);
  });
});

describe('randomToken and randomHex', () => {
  it('carry the requested number of random bytes', () => {
    expect(randomToken(24)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomHex(12)).toMatch(/^[0-9a-f]{24}$/);
  });

  it('do not repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken(16)));
    const hexes = new Set(Array.from({ length: 1000 }, () => randomHex(8)));
    expect([tokens.size, hexes.size]).toEqual([1000, 1000]);
  });
});

describe('hashes', () => {
  it('sha256Hex and hmacHex match published test vectors', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // RFC 4231, test case 2.
    expect(hmacHex(Buffer.from('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('secretsEqual', () => {
  it('is true only for equal strings, whatever the lengths', () => {
    expect(secretsEqual('s3cret', 's3cret')).toBe(true);
    expect(secretsEqual('s3cret', 's3cre')).toBe(false);
    expect(secretsEqual('s3cret', 's3cret ')).toBe(false);
    expect(secretsEqual('', 's3cret')).toBe(false);
    expect(secretsEqual('S3cret', 's3cret')).toBe(false);
    expect(secretsEqual('', '')).toBe(true);
  });
});

describe('timeOrderedId', () => {
  it('is the creation time in 12 hex digits followed by the random bytes in hex', () => {
    const now = Date.UTC(2026, 10, 27, 3, 30);
    const id = timeOrderedId(now, 12);
    expect(id).toMatch(/^[0-9a-f]{36}$/);
    expect(parseInt(id.slice(0, 12), 16)).toBe(now);
  });

  it('sorts by creation time whatever the random part', () => {
    const times = Array.from({ length: 200 }, (_, i) => 1_700_000_000_000 + i * 997);
    const ids = [...times].reverse().map((t) => timeOrderedId(t, 8));
    expect([...ids].sort()).toEqual(ids.reverse());
  });

  it('does not repeat within one millisecond', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => timeOrderedId(1_700_000_000_000, 12)));
    expect(ids.size).toBe(5000);
  });
});

describe('the random pool behind randomHex and randomToken', () => {
  it('never hands the same bytes out twice, also across refills', () => {
    // 8 bytes each, 3000 times: about six refills of the 4 KiB pool.
    const seen = new Set(Array.from({ length: 3000 }, () => randomHex(8)));
    expect(seen.size).toBe(3000);
  });

  it('serves sizes larger than the pool', () => {
    expect(randomHex(5000)).toMatch(/^[0-9a-f]{10000}$/);
    expect(randomHex(5000)).not.toBe(randomHex(5000));
  });
});
