import { availableParallelism } from 'node:os';
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes as kept in the directory file: `scrypt$N$r$p$salt$hash`, salt (16 bytes) and
 * hash (32 bytes) in base64url. N, r, p travel with the hash so the cost can rise later.
 */
export const SCRYPT_DEFAULTS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
// Node refuses scrypt above its default memory limit (32 MiB); 128·N·r must stay under it.
const MAX_MEM = 64 * 1024 * 1024;

export function hashPassword(password: string, cost: { N: number; r: number; p: number } = SCRYPT_DEFAULTS): string {
  if (password.length === 0) throw new Error('the password is empty');
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFC'), salt, KEY_LENGTH, { ...cost, maxmem: MAX_MEM });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

interface ParsedHash {
  salt: Buffer;
  expected: Buffer;
  options: ScryptOptions;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || expected.length === 0 || 128 * N * r > MAX_MEM) return undefined;
  return { salt, expected, options: { N, r, p, maxmem: MAX_MEM } };
}

/** Whether `password` matches `stored`; a malformed hash matches nothing. The comparison is constant-time. (CLI and tests; the server uses verifyPasswordAsync.) */
export function verifyPassword(password: string, stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  try {
    const given = scryptSync(password.normalize('NFC'), parsed.salt, parsed.expected.length, parsed.options);
    return timingSafeEqual(given, parsed.expected);
  } catch {
    return false;
  }
}

/** Hashes run at once: one core is always left to the event loop (and each run holds 16 MiB). */
const HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);
/** Sign-ins waiting for a hashing slot; beyond this the server is too busy and says so. */
const HASH_QUEUE = 256;
let running = 0;
const waiting: Array<() => void> = [];

/** Thrown when more sign-ins wait for hashing than HASH_QUEUE. */
export class HashingBusy extends Error {
  override name = 'HashingBusy';
}

/**
 * verifyPassword off the event loop: scrypt runs on libuv's thread pool, at most HASH_CONCURRENCY
 * at a time, so a flood of sign-ins (~50 ms of hashing each) never stalls other requests
 * (docs/security.md).
 */
export async function verifyPasswordAsync(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  if (running >= HASH_CONCURRENCY) {
    if (waiting.length >= HASH_QUEUE) throw new HashingBusy('too many sign-ins waiting');
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running++;
  try {
    return await new Promise((resolve) => {
      scrypt(password.normalize('NFC'), parsed.salt, parsed.expected.length, parsed.options, (err, given) => {
        resolve(!err && timingSafeEqual(given, parsed.expected));
      });
    });
  } finally {
    // The slot passes straight to the next waiter, or is freed.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** Checked against when the user has no password, so an unknown user costs as much time as a wrong password. */
export const DUMMY_HASH = hashPassword('vconf-no-such-user');
