import { createHash, createHmac, randomFillSync, randomInt, timingSafeEqual } from 'node:crypto';

/*
 * One CSPRNG call per 4 KiB instead of one per identifier: a small randomBytes() costs ~3 µs here,
 * as much as an indexed read, and a meeting needs half a dozen. Every byte is handed out once.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** `bytes` fresh bytes from the CSPRNG (for sizes above the pool, straight from it). */
function takeRandom(bytes: number): Buffer {
  if (bytes > POOL_SIZE) return randomFillSync(Buffer.alloc(bytes));
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return out;
}

/** Lower-case hex of `bytes` random bytes from the CSPRNG. */
export function randomHex(bytes: number): string {
  return takeRandom(bytes).toString('hex');
}

/** URL-safe random token carrying `bytes * 8` bits. */
export function randomToken(bytes: number): string {
  return takeRandom(bytes).toString('base64url');
}

/** Hex digits of the millisecond clock at the front of a time-ordered id (enough until the year 10889). */
const TIME_DIGITS = 12;

/**
 * An identifier that sorts by creation time and is still unguessable: 12 hex digits of `now` (ms)
 * followed by `randomByteCount` random bytes in hex. New rows then land at the end of their indexes,
 * on pages already being written, instead of on a random page each.
 */
export function timeOrderedId(now: number, randomByteCount: number): string {
  return Math.max(0, Math.floor(now)).toString(16).padStart(TIME_DIGITS, '0') + randomHex(randomByteCount);
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

/** A uniformly random decimal string of exactly `length` digits, any of which may be 0 (10^length values): passcodes. */
export function randomDigitString(length: number): string {
  let out = '';
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
