import { ClaimsSigner } from './signed-claims.js';

/** A signed-in directory user of the web app: one person of one organization, until `exp`. */
export interface SessionClaims {
  corpId: string;
  unionId: string;
  name: string;
  /** Expiry, epoch ms. */
  exp: number;
}

export const SESSION_LIFETIME_MS = 12 * 3600_000;
export const SESSION_COOKIE = 'vconf_session';

/**
 * Signs and checks session cookies with the deployment key (a different label from room tickets so
 * one can never pass for the other). Stateless: sign-out clears the cookie.
 */
export class SessionSigner extends ClaimsSigner<SessionClaims> {
  constructor(key: Buffer) {
    super(key, 'session', (c) => typeof c.corpId === 'string' && typeof c.unionId === 'string' && typeof c.name === 'string');
  }
}
