import { DUMMY_HASH, HashingBusy, verifyPasswordAsync } from './passwords.js';
import { FailureLimiter, type Attempter, type FailureCaps } from './failure-limits.js';
import { randomToken, sha256Hex } from './secrets.js';
import { SESSION_LIFETIME_MS, type SessionClaims, type SessionSigner } from './sessions.js';
import type { CredentialRepository, RateCounter } from './ports/index.js';

/** A directory user as sign-in sees them. */
export interface Credentials {
  corpId: string;
  unionId: string;
  name: string;
  passwordHash: string | null;
}

export const LINK_LIFETIME_MS = 15 * 60_000;

/** Failed password attempts per browser, per network and per account in an hour (docs/sign-in.md, docs/security.md). */
export const SIGNIN_LIMITS: FailureCaps = {
  perBrowserTarget: 10,
  perBrowser: 50,
  perNetworkTarget: 20,
  perNetwork: 100,
  perTarget: 50,
  windowMs: 3600_000,
};

export type SignInResult =
  | { ok: true; session: string; claims: SessionClaims }
  | { ok: false; reason: 'badCredentials' | 'linkInvalid' }
  | { ok: false; reason: 'tooManyAttempts'; retryAfterSeconds: number };

/** Password and one-time-link sign-in of directory users; success yields a signed session. */
export class SignInService {
  private readonly now: () => number;
  private readonly limiter: FailureLimiter;

  constructor(
    private readonly users: CredentialRepository,
    private readonly failures: RateCounter,
    private readonly signer: SessionSigner,
    now?: () => number,
    private readonly limits = SIGNIN_LIMITS,
  ) {
    this.now = now ?? Date.now;
    this.limiter = new FailureLimiter(failures, 'signin', limits);
  }

  /** `who`: the browser and network trying (failure limits count both, docs/security.md). */
  async withPassword(unionId: string, password: string, who: Attempter, corpId?: string): Promise<SignInResult> {
    const target = `user:${unionId}`;
    const verdict = await this.limiter.check(who, target);
    if (!verdict.ok) return { ok: false, reason: 'tooManyAttempts', retryAfterSeconds: verdict.retryAfterSeconds };
    const candidates = (await this.users.find(unionId, corpId)).filter((u) => u.passwordHash);
    // scrypt runs off the event loop; unknown users and users without a password hash once too,
    // and every candidate is checked, so the work does not depend on who exists.
    const hashes = candidates.length > 0 ? candidates.map((u) => u.passwordHash ?? DUMMY_HASH) : [DUMMY_HASH];
    let results: boolean[];
    try {
      results = await Promise.all(hashes.map((h) => verifyPasswordAsync(password, h)));
    } catch (err) {
      // More sign-ins are waiting for hashing than the server takes on: try again in a moment.
      if (err instanceof HashingBusy) return { ok: false, reason: 'tooManyAttempts', retryAfterSeconds: 1 };
      throw err;
    }
    const match = candidates.length > 0 ? candidates.find((_, i) => results[i]) : undefined;
    if (!match) {
      await this.limiter.fail(who, target);
      return { ok: false, reason: 'badCredentials' };
    }
    return this.session(match);
  }

  /** `vconf user link`: a one-time token for the user; only its hash is stored. */
  async createLink(unionId: string, corpId?: string): Promise<{ token: string; user: Credentials; expiresAt: number }> {
    const found = await this.users.find(unionId, corpId);
    if (found.length === 0) throw new Error(`no directory user "${unionId}"${corpId ? ` in ${corpId}` : ''}`);
    if (found.length > 1) throw new Error(`"${unionId}" is in several organizations (${found.map((u) => u.corpId).join(', ')}); choose one with --corp`);
    const user = found[0] as Credentials;
    const token = randomToken(24);
    const expiresAt = this.now() + LINK_LIFETIME_MS;
    await this.users.insertLink({ tokenHash: sha256Hex(token), corpId: user.corpId, unionId: user.unionId, expiresAt });
    return { token, user, expiresAt };
  }

  async withLink(token: string): Promise<SignInResult> {
    const owner = await this.users.consumeLink(sha256Hex(token), this.now());
    const user = owner && (await this.users.find(owner.unionId, owner.corpId))[0];
    if (!user) return { ok: false, reason: 'linkInvalid' };
    return this.session(user);
  }

  /** Whether the session's user is still in the directory: removing someone ends their sessions. */
  async stillListed(claims: SessionClaims): Promise<boolean> {
    return (await this.users.find(claims.unionId, claims.corpId)).length > 0;
  }

  private session(user: Credentials): SignInResult {
    const claims: SessionClaims = { corpId: user.corpId, unionId: user.unionId, name: user.name, exp: this.now() + SESSION_LIFETIME_MS };
    return { ok: true, session: this.signer.sign(claims), claims };
  }
}
