import type { AdmissionService } from './admission.js';
import { MeetingStatus } from './meeting.js';
import type { TicketClaims } from './tickets.js';

/** What the voice menu tells a caller when they cannot come in (each has its own prompt). */
export type DialInRefusal = 'wrong' | 'blocked' | 'notStarted' | 'ended' | 'locked' | 'internalOnly' | 'removed';

export type DialInResult = { ok: true; claims: TicketClaims; title: string } | { ok: false; reason: DialInRefusal };

/** Wrong meeting codes or passcodes one call may key before it is ended. */
export const DIAL_IN_TRIES = 3;

/**
 * Admission of a caller on the telephone (docs/dial-in.md): the same room code and passcode
 * check as a browser's, counted by the same failure limits, with the calling number standing for
 * the browser and for the network. A caller with caller ID is vouched for (the trunk is trusted
 * to deliver it); anonymous callers share one identity. Only a host passcode starts a meeting
 * nobody has joined yet: everyone else hears that it has not started.
 */
export class DialInService {
  constructor(private readonly admission: AdmissionService) {}

  async admit(caller: string | undefined, roomCode: string, passcode: string): Promise<DialInResult> {
    const id = `tel:${caller ?? 'anonymous'}`;
    const result = await this.admission.admit({ roomCode, passcode }, { device: { id, vouched: caller !== undefined }, network: id });
    if (!result.ok) {
      switch (result.reason) {
        case 'tooManyAttempts':
          return { ok: false, reason: 'blocked' };
        case 'meetingEnded':
        case 'cancelled':
          return { ok: false, reason: 'ended' };
        case 'notOpenYet':
          return { ok: false, reason: 'notStarted' };
        case 'locked':
        case 'internalOnly':
        case 'removed':
          return { ok: false, reason: result.reason };
        default:
          return { ok: false, reason: 'wrong' };
      }
    }
    if (result.meeting.status === MeetingStatus.initialised && result.claims.role !== 'host') return { ok: false, reason: 'notStarted' };
    return { ok: true, claims: result.claims, title: result.meeting.title };
  }
}

/** A calling number as other people see it: the middle hidden (138****5678); short numbers keep their last two digits. */
export function maskNumber(number: string | undefined): string {
  const digits = (number ?? '').replace(/[^0-9+]/g, '');
  if (digits.length === 0) return '****';
  if (digits.length >= 7) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return `****${digits.slice(-2)}`;
}
