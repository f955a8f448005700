import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a room ticket grants: entry to one meeting, in one role, for one browser, until `exp`. */
export interface TicketClaims {
  conferenceId: string;
  role: 'host' | 'participant';
  deviceId: string;
  /** Expiry, epoch ms. */
  exp: number;
  /** The signed-in directory user holding the ticket (docs/sign-in.md); absent for anonymous guests. */
  user?: TicketUser;
}

export interface TicketUser {
  corpId: string;
  unionId: string;
}

export const TICKET_LIFETIME_MS = 12 * 3600_000;

/** Signs and checks room tickets with the deployment key (HMAC-SHA256), so any instance can verify them. */
export class TicketSigner {
  constructor(private readonly key: Buffer) {}

  sign(claims: TicketClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The claims of a genuine, unexpired ticket; undefined otherwise. */
  verify(ticket: string, now: number = Date.now()): TicketClaims | undefined {
    const [payload, mac, extra] = ticket.split('.');
    if (!payload || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TicketClaims;
      if (typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
      if (typeof claims.conferenceId !== 'string' || typeof claims.deviceId !== 'string') return undefined;
      if (claims.role !== 'host' && claims.role !== 'participant') return undefined;
      if (claims.user !== undefined && (typeof claims.user?.corpId !== 'string' || typeof claims.user.unionId !== 'string')) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`ticket:${payload}`).digest('base64url');
  }
}
