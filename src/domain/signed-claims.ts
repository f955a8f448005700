import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Claims signed with the deployment key (HMAC-SHA256) as `base64url(JSON).mac`, so any instance can
 * check them without storing anything. Each kind signs under its own label, so claims of one kind
 * can never pass for another.
 */
export class ClaimsSigner<C extends { exp: number }> {
  constructor(
    private readonly key: Buffer,
    private readonly label: string,
    /** The shape check of decoded claims beyond `exp`. */
    private readonly wellFormed: (claims: C) => boolean,
  ) {}

  sign(claims: C): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The claims of a genuine, unexpired value; undefined otherwise. */
  verify(value: string | undefined, now: number = Date.now()): C | undefined {
    if (!value) return undefined;
    const [payload, mac, extra] = value.split('.');
    if (!payload || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as C;
      if (typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
      return this.wellFormed(claims) ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`${this.label}:${payload}`).digest('base64url');
  }
}
