import { ClaimsSigner } from './signed-claims.js';

/** What a room ticket grants: entry to one meeting, in one role, for one browser, until `exp`. */
export interface TicketClaims {
  conferenceId: string;
  role: 'host' | 'participant';
  deviceId: string;
  /** Expiry, epoch ms. */
  exp: number;
  /** The signed-in directory user holding the ticket (docs/sign-in.md); absent for anonymous guests. */
  user?: TicketUser;
  /** The network the ticket was issued to (networkOf): a removal of its guest bars it for a while. */
  net?: string;
}

export interface TicketUser {
  corpId: string;
  unionId: string;
}

export const TICKET_LIFETIME_MS = 12 * 3600_000;

/** Signs and checks room tickets with the deployment key, so any instance can verify them. */
export class TicketSigner extends ClaimsSigner<TicketClaims> {
  constructor(key: Buffer) {
    super(
      key,
      'ticket',
      (c) =>
        typeof c.conferenceId === 'string' &&
        typeof c.deviceId === 'string' &&
        (c.role === 'host' || c.role === 'participant') &&
        (c.user === undefined || (typeof c.user?.corpId === 'string' && typeof c.user.unionId === 'string')),
    );
  }
}
