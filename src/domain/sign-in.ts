import { DUMMY_HASH, verifyPassword } from './passwords.js';
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

/** Failed password attempts, per address and per account, in an hour (docs/sign-in.md). */
export const SIGNIN_LIMITS = { perAddress: 50, perAccount: 10, windowMs: 3600_000 };

export type SignInResult =
  | { ok: true; session: string; claims: SessionClaims }
  | { ok: false; reason: 'badCredentials' | 'linkInvalid' }
  | { ok: false; reason: 'tooManyAttempts'; retryAfterSeconds: number };

/** Password and one-time-link sign-in of directory users; success yields a signed session. */
export class SignInService {
  private readonly now: () => number;

  constructor(
    private readonly users: CredentialRepository,
    private readonly failures: RateCounter,
    private readonly signer: SessionSigner,
    now?: () => number,
    private readonly limits = SIGNIN_LIMITS,
  ) {
    this.now = now ?? Date.now;
  }

  async withPassword(unionId: string, password: string, address: string, corpId?: string): Promise<SignInResult> {
    const keys = [`signin:${address}`, `signin:user:${unionId}`];
    const caps = [this.limits.perAddress, this.limits.perAccount];
    const usage = await Promise.all(keys.map((k) => this.failures.peek(k, this.limits.windowMs)));
    const blocked = usage.map((u, i) => (u.used >= (caps[i] ?? 0) ? u.resetInMs : -1)).filter((ms) => ms >= 0);
    if (blocked.length > 0) {
      return { ok: false, reason: 'tooManyAttempts', retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...blocked) / 1000)) };
    }
    const candidates = (await this.users.find(unionId, corpId)).filter((u) => u.passwordHash);
    // Unknown users and users without a password take as long as a wrong password.
    if (candidates.length === 0) verifyPassword(password, DUMMY_HASH);
    const match = candidates.find((u) => verifyPassword(password, u.passwordHash ?? DUMMY_HASH));
    if (!match) {
      await Promise.all(keys.map((k) => this.failures.take(k, 1, Number.MAX_SAFE_INTEGER, this.limits.windowMs)));
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
