import { describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/domain/directory.js';
import { hashPassword, verifyPassword } from '../../src/domain/passwords.js';
import { Rejection } from '../../src/domain/rejection.js';

// A cheap cost keeps the test fast; the format carries the cost, so verification follows it.
const CHEAP = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('verifies the password it was made from and nothing else; salts differ', () => {
    const a = hashPassword('pässwörd ok', CHEAP);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(verifyPassword('pässwörd ok', a)).toBe(true);
    // NFC and NFD spellings of the same text are the same password.
    expect(verifyPassword('pässwörd ok'.normalize('NFD'), a)).toBe(true);
    expect(verifyPassword('pässwörd ok ', a)).toBe(false);
    expect(verifyPassword('', a)).toBe(false);
    expect(hashPassword('pässwörd ok', CHEAP)).not.toBe(a);
  });

  it('matches nothing with a malformed hash or a cost above the memory cap', () => {
    const good = hashPassword('secret-pass', CHEAP);
    const [, , , , salt, hash] = good.split('$');
    for (const bad of ['', 'scrypt', `bcrypt$1024$8$1$${salt}$${hash}`, `scrypt$0$8$1$${salt}$${hash}`, `scrypt$1024$8$1$${salt}$`, `scrypt$1024$8$1$${salt}$${hash}$x`, `scrypt$1073741824$8$1$${salt}$${hash}`]) {
      expect(verifyPassword('secret-pass', bad)).toBe(false);
    }
    expect(() => hashPassword('')).toThrow();
  });

  it('the directory accepts a passwordHash in the documented format and refuses anything else', () => {
    const hash = hashPassword('secret-pass', CHEAP);
    const doc = parseDirectory({ orgs: [{ corpId: 'dingx', name: 'X', users: [{ unionId: 'u1', name: 'Una', passwordHash: hash }] }] });
    expect(doc.orgs[0]!.users[0]!.passwordHash).toBe(hash);
    expect(parseDirectory({ orgs: [{ corpId: 'dingx', name: 'X', users: [{ unionId: 'u1', name: 'Una' }] }] }).orgs[0]!.users[0]).not.toHaveProperty('passwordHash');
    expect(() => parseDirectory({ orgs: [{ corpId: 'dingx', name: 'X', users: [{ unionId: 'u1', name: 'Una', passwordHash: 'plain-text' }] }] })).toThrow(Rejection);
  });
});
