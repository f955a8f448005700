import { createHmac, timingSafeEqual } from 'node:crypto';

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
 * Signs and checks session cookies with the deployment key (HMAC-SHA256, a different label from
 * room tickets so one can never pass for the other). Stateless: sign-out clears the cookie.
 */
export class SessionSigner {
  constructor(private readonly key: Buffer) {}

  sign(claims: SessionClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  verify(value: string | undefined, now: number = Date.now()): SessionClaims | undefined {
    if (!value) return undefined;
    const [payload, mac, extra] = value.split('.');
    if (!payload || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
      if (typeof c.exp !== 'number' || c.exp <= now) return undefined;
      if (typeof c.corpId !== 'string' || typeof c.unionId !== 'string' || typeof c.name !== 'string') return undefined;
      return c;
    } catch {
      return undefined;
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`session:${payload}`).digest('base64url');
  }
}
