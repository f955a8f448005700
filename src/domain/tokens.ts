import { FailureLimiter, type FailureCaps } from './failure-limits.js';
import { Rejection } from './rejection.js';
import { hmacHex, randomHex, secretsEqual, sha256Hex } from './secrets.js';
import type { DirectoryRepository, RateCounter, TokenKind, TokenRecord, TokenRepository } from './ports/index.js';

export const TOKEN_LIFETIME_S = 7200;

/**
 * Wrong secrets on the token routes, per hour (docs/security.md): per client network and app key,
 * per network, and per app key from everywhere. Callers are servers, not browsers, so the network
 * plays the browser's part: a network that has not failed always gets its token, however many
 * failures others caused for the same app key.
 */
export const TOKEN_FAILURE_LIMITS: FailureCaps = {
  perBrowserTarget: 20,
  perBrowser: 100,
  perNetworkTarget: 20,
  perNetwork: 100,
  perTarget: 200,
  windowMs: 3600_000,
};

/** Refused before any secret is compared: too many wrong ones from this network. */
export class Throttled extends Error {
  override name = 'Throttled';
  constructor(readonly retryAfterSeconds: number) {
    super(`throttled for ${retryAfterSeconds} s`);
  }
}

/** Who a request acts for: the token's organization and the scopes its app was granted. */
export interface Principal {
  corpId: string;
  clientKey: string;
  scopes: readonly string[];
  kind: TokenKind;
  /** The user of a user access token. */
  unionId?: string | undefined;
  expiresAt: number;
}

export interface IssuedToken {
  accessToken: string;
  expireIn: number;
}

/**
 * Issues and checks access tokens. Only a hash of each token is stored; the token itself is an
 * HMAC of a stored nonce under the deployment's key, so "ask again, get the same token" works
 * without keeping usable tokens in the database.
 */
export class TokenService {
  private readonly now: () => number;
  private readonly limiter: FailureLimiter | undefined;

  constructor(
    private readonly tokens: TokenRepository,
    private readonly directory: DirectoryRepository,
    private readonly key: Buffer,
    now?: () => number,
    /** Where wrong secrets are counted; none = no limits. */
    failures?: RateCounter,
  ) {
    this.now = now ?? Date.now;
    this.limiter = failures && new FailureLimiter(failures, 'token', TOKEN_FAILURE_LIMITS);
  }

  /**
   * Runs a token request from `network` for `clientKey` under the failure limits: throws Throttled
   * when this network failed too often for it; a wrong secret (badCredentials) counts.
   */
  async limited<T>(network: string, clientKey: string, attempt: () => Promise<T>): Promise<T> {
    if (!this.limiter) return attempt();
    const who = { device: { id: network, vouched: true }, network };
    const verdict = await this.limiter.check(who, clientKey);
    if (!verdict.ok) throw new Throttled(verdict.retryAfterSeconds);
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof Rejection && (err.reason === 'badCredentials' || err.reason === 'badSuiteTicket')) await this.limiter.fail(who, clientKey);
      throw err;
    }
  }

  /** GetAccessToken / legacy gettoken: internal app; a live token is returned again and extended. */
  async forApp(appKey: string, appSecret: string): Promise<IssuedToken> {
    const app = await this.directory.findApp(appKey);
    if (!app || !secretsEqual(appSecret, app.appSecret)) throw new Rejection('badCredentials');
    return this.reuseOrIssue('app', app.appKey, app.corpId, app.scopes);
  }

  /** GetCorpAccessToken: a third-party suite acting for an organization that authorized it. */
  async forSuite(suiteKey: string, suiteSecret: string, suiteTicket: string, authCorpId: string): Promise<IssuedToken> {
    const suite = await this.directory.findSuite(suiteKey);
    if (!suite || !secretsEqual(suiteSecret, suite.suiteSecret)) throw new Rejection('badCredentials');
    if (!secretsEqual(suiteTicket, suite.suiteTicket)) throw new Rejection('badSuiteTicket');
    if (!suite.authorizedCorpIds.includes(authCorpId) || !(await this.directory.findOrg(authCorpId))) {
      throw new Rejection('notAuthorized');
    }
    // Unlike internal apps, a suite gets a fresh token on every call (spec §b.2).
    return this.issue('suite', suite.suiteKey, authCorpId, suite.scopes);
  }

  /** GetToken (client_credentials): an internal app of corpId, or a suite that corpId authorized. */
  async forClient(corpId: string, clientId: string, clientSecret: string, grantType: string): Promise<IssuedToken> {
    if (grantType !== 'client_credentials') throw new Rejection('unsupportedGrant');
    const app = await this.directory.findApp(clientId);
    if (app) {
      if (!secretsEqual(clientSecret, app.appSecret)) throw new Rejection('badCredentials');
      if (app.corpId !== corpId) throw new Rejection('notAuthorized');
      return this.reuseOrIssue('client', app.appKey, corpId, app.scopes);
    }
    const suite = await this.directory.findSuite(clientId);
    if (!suite || !secretsEqual(clientSecret, suite.suiteSecret)) throw new Rejection('badCredentials');
    if (!suite.authorizedCorpIds.includes(corpId) || !(await this.directory.findOrg(corpId))) {
      throw new Rejection('notAuthorized');
    }
    return this.reuseOrIssue('client', suite.suiteKey, corpId, suite.scopes);
  }

  /** Forgets tokens that expired more than a day ago (kept that long for support questions). */
  async purgeExpired(): Promise<number> {
    return this.tokens.purgeExpired(this.now() - 24 * 3600_000);
  }

  /** The principal behind a presented token, or undefined for an unknown or expired one. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const record = await this.tokens.findByHash(sha256Hex(token));
    if (!record || record.expiresAt <= this.now()) return undefined;
    return {
      corpId: record.corpId,
      clientKey: record.clientKey,
      scopes: record.scopes,
      kind: record.kind,
      ...(record.unionId ? { unionId: record.unionId } : {}),
      expiresAt: record.expiresAt,
    };
  }

  /** GetSuiteAccessToken: the suite's own token (no organization, no conference scopes), reused while live. */
  async forSuiteItself(suiteKey: string, suiteSecret: string, suiteTicket: string): Promise<IssuedToken> {
    const suite = await this.directory.findSuite(suiteKey);
    if (!suite || !secretsEqual(suiteSecret, suite.suiteSecret)) throw new Rejection('badCredentials');
    if (!secretsEqual(suiteTicket, suite.suiteTicket)) throw new Rejection('badSuiteTicket');
    return this.reuseOrIssue('suiteAccess', suite.suiteKey, '', []);
  }

  /** A fresh token of a kind without conference scopes: user tokens (with their user) and SSO tokens. */
  async issueOwn(kind: 'user' | 'sso', clientKey: string, corpId: string, scopes: string[], unionId?: string): Promise<IssuedToken> {
    return this.issue(kind, clientKey, corpId, scopes, unionId);
  }

  private async reuseOrIssue(kind: TokenKind, clientKey: string, corpId: string, scopes: string[]): Promise<IssuedToken> {
    const now = this.now();
    const live = await this.tokens.findLive(kind, clientKey, corpId, now);
    // After an import changed the app's scopes, a new token carries them; the old one just lapses.
    if (!live || !sameScopes(live.scopes, scopes)) return this.issue(kind, clientKey, corpId, scopes);
    await this.tokens.extend(live.tokenHash, now + TOKEN_LIFETIME_S * 1000);
    return { accessToken: this.derive(live.nonce), expireIn: TOKEN_LIFETIME_S };
  }

  private async issue(kind: TokenKind, clientKey: string, corpId: string, scopes: string[], unionId?: string): Promise<IssuedToken> {
    const now = this.now();
    const nonce = randomHex(16);
    const accessToken = this.derive(nonce);
    const record: TokenRecord = {
      tokenHash: sha256Hex(accessToken),
      nonce,
      kind,
      clientKey,
      corpId,
      scopes,
      issuedAt: now,
      expiresAt: now + TOKEN_LIFETIME_S * 1000,
      ...(unionId ? { unionId } : {}),
    };
    await this.tokens.insert(record);
    return { accessToken, expireIn: TOKEN_LIFETIME_S };
  }

  /** 32 hex characters (128 bits), the look of DingTalk's tokens. */
  private derive(nonce: string): string {
    return hmacHex(this.key, nonce).slice(0, 32);
  }
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}
