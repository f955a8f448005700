/** Access tokens, stored by hash. */

/**
 * app, suite (a suite acting for an organization), client (GetToken): organization tokens that
 * carry conference scopes. suiteAccess (GetSuiteAccessToken), user (GetUserToken) and sso
 * (GetSsoAccessToken) carry none: they serve only their own oauth2 operations.
 */
export type TokenKind = 'app' | 'suite' | 'client' | 'suiteAccess' | 'user' | 'sso';

export interface TokenRecord {
  tokenHash: string;
  nonce: string;
  kind: TokenKind;
  clientKey: string;
  corpId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
  /** The user of a `user` token. */
  unionId?: string | null;
}

/** Authorization codes, admin SSO codes and refresh tokens of DingTalk OAuth 2.0 (docs/sign-in.md), by hash. */
export type GrantKind = 'code' | 'refresh' | 'sso';

export interface GrantRecord {
  grantHash: string;
  kind: GrantKind;
  /** appKey (code, refresh) or corpId (sso). */
  clientKey: string;
  corpId: string;
  unionId: string;
  scopes: string[];
  expiresAt: number;
}

export interface GrantRepository {
  insert(record: GrantRecord): Promise<void>;
  /** Uses a grant up: the record once, undefined when unknown, of another kind, used or expired. */
  take(grantHash: string, kind: GrantKind, now: number): Promise<GrantRecord | undefined>;
}

export interface TokenRepository {
  insert(record: TokenRecord): Promise<void>;
  findByHash(tokenHash: string): Promise<TokenRecord | undefined>;
  /** The newest unexpired token of this client for this organization, if any. */
  findLive(kind: TokenKind, clientKey: string, corpId: string, now: number): Promise<TokenRecord | undefined>;
  extend(tokenHash: string, expiresAt: number): Promise<void>;
  /** Deletes tokens that expired before `before`; returns how many. */
  purgeExpired(before: number): Promise<number>;
}
