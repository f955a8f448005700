import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Lower-case hex of `bytes` random bytes from the CSPRNG. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** URL-safe random token carrying `bytes * 8` bits. */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** A uniformly random decimal string of exactly `length` digits whose first digit is not 0. */
export function randomDigits(length: number): string {
  // randomInt is uniform and CSPRNG-backed but limited to ranges below 2^48, so build in chunks.
  let out = String(randomInt(1, 10));
  while (out.length < length) {
    const chunk = Math.min(12, length - out.length);
    out += String(randomInt(0, 10 ** chunk)).padStart(chunk, '0');
  }
  return out;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hmacHex(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

/**
 * Constant-time equality of two secrets. Both sides are hashed first so neither the length nor
 * the content of the expected value leaks through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
