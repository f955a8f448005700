/** Access tokens, stored by hash. */

export type TokenKind = 'app' | 'suite' | 'client';

export interface TokenRecord {
  tokenHash: string;
  nonce: string;
  kind: TokenKind;
  clientKey: string;
  corpId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
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
