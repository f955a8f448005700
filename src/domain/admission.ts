import { MeetingStatus, type Meeting } from './meeting.js';
import type { EntryPolicy } from './entry-policy.js';
import type { Device } from './devices.js';
import { FailureLimiter, type Attempter, type FailureCaps } from './failure-limits.js';
import { secretsEqual } from './secrets.js';
import { TICKET_LIFETIME_MS, type TicketClaims, type TicketSigner, type TicketUser } from './tickets.js';
import type { MeetingRepository, RateCounter } from './ports/index.js';

/** Limits on wrong room codes, passcodes and join links; the reasoning is in docs/join-limits.md and docs/security.md. */
export type JoinLimits = FailureCaps;

export const DEFAULT_JOIN_LIMITS: JoinLimits = {
  perBrowserTarget: 10,
  perBrowser: 100,
  perNetworkTarget: 30,
  perNetwork: 300,
  perTarget: 1000,
  windowMs: 3600_000,
};

/** Who asks for admission: their browser (the device cookie) and their network (networkOf). */
export interface Client {
  device: Device;
  network: string;
}

/** Join links of booked meetings (src/domain/schedule.ts); undefined = not a booking's link. */
export interface BookedLinks {
  open(roomCode: string, token: string): Promise<Meeting | 'cancelled' | 'notOpenYet' | 'meetingEnded' | undefined>;
}

/** `knock`: the person asks to be let into a locked meeting (the room's door puts them in its waiting room). */
export type AdmissionRequest = ({ roomCode: string; token: string } | { roomCode: string; passcode: string }) & { knock?: boolean };

export type AdmissionResult =
  | { ok: true; ticket: string; claims: TicketClaims; meeting: Meeting }
  | { ok: false; reason: 'badCredentials' | 'linkInvalid' | 'meetingEnded' | 'removed' | 'locked' | 'internalOnly' | 'cancelled' | 'notOpenYet' }
  | { ok: false; reason: 'tooManyAttempts'; retryAfterSeconds: number };

/**
 * Turns a join link, or a room code with a passcode, into a signed ticket for one browser.
 * Unknown room codes and wrong passcodes fail alike, and both count against the failure limits.
 */
export class AdmissionService {
  private readonly now: () => number;
  private readonly limiter: FailureLimiter;

  constructor(
    private readonly meetings: MeetingRepository,
    private readonly failures: RateCounter,
    private readonly signer: TicketSigner,
    private readonly limits: JoinLimits = DEFAULT_JOIN_LIMITS,
    now?: () => number,
    /** The meeting's entry rules (lock, internal only); none = everyone with a credential enters. */
    private readonly entry?: EntryPolicy,
    /** Join links of booked meetings: opens (or starts) the booking's meeting instance. */
    private readonly booked?: BookedLinks,
  ) {
    this.now = now ?? Date.now;
    this.limiter = new FailureLimiter(failures, 'join', limits);
  }

  /** `user`: the signed-in directory user, recorded under their unionId; the organizer becomes host. */
  async admit(request: AdmissionRequest, client: Client, user?: TicketUser): Promise<AdmissionResult> {
    const who: Attempter = { device: client.device, network: client.network };
    const knock = request.knock === true;
    if ('token' in request) return this.admitByLink(request.roomCode, request.token, who, client, knock, user);
    return this.admitByPasscode(request.roomCode, request.passcode, who, client, knock, user);
  }

  /** Join links are 192-bit secrets, but wrong ones still count, so the path is no free oracle. */
  private async admitByLink(roomCode: string, token: string, who: Attempter, client: Client, knock: boolean, user?: TicketUser): Promise<AdmissionResult> {
    const target = `link:${roomCode}`;
    const verdict = await this.limiter.check(who, target);
    if (!verdict.ok) return { ok: false, reason: 'tooManyAttempts', retryAfterSeconds: verdict.retryAfterSeconds };
    // A booking's link first: after an instance ended, a join within the window starts a new one.
    const opened = await this.booked?.open(roomCode, token);
    if (typeof opened === 'string') return { ok: false, reason: opened };
    if (opened) return this.grant(opened, 'participant', client, knock, user);
    const candidates = await this.meetings.findByRoomCode(roomCode);
    const meeting = candidates.find((m) => secretsEqual(token, m.joinToken));
    if (!meeting) {
      await this.limiter.fail(who, target);
      return { ok: false, reason: 'linkInvalid' };
    }
    return this.grant(meeting, 'participant', client, knock, user);
  }

  private async admitByPasscode(roomCode: string, passcode: string, who: Attempter, client: Client, knock: boolean, user?: TicketUser): Promise<AdmissionResult> {
    const verdict = await this.limiter.check(who, roomCode);
    if (!verdict.ok) return { ok: false, reason: 'tooManyAttempts', retryAfterSeconds: verdict.retryAfterSeconds };

    const candidates = await this.meetings.findByRoomCode(roomCode);
    const live = candidates.find((m) => m.status !== MeetingStatus.ended);
    const role = live ? this.roleFor(live, passcode) : undefined;
    if (live && role) return this.grant(live, role, client, knock, user);
    // A correct passcode of the meeting that last used this code: say it ended rather than "wrong".
    const ended = live ? undefined : candidates[0];
    if (ended && this.roleFor(ended, passcode)) return { ok: false, reason: 'meetingEnded' };

    await this.limiter.fail(who, roomCode);
    return { ok: false, reason: 'badCredentials' };
  }

  /**
   * Whether a removal bars this person (docs/security.md): their browser; a signed-in person by
   * identity; a guest by network for an hour, unless their browser was known before the removal.
   */
  private async barred(meeting: Meeting, client: Client, user?: TicketUser): Promise<boolean> {
    const id = meeting.conferenceId;
    if (await this.meetings.isDeviceBanned(id, client.device.id)) return true;
    if (user) return this.meetings.isUnionBanned(id, user.corpId, user.unionId);
    const since = await this.meetings.networkBarredSince(id, client.network, this.now());
    if (since === undefined) return false;
    const known = client.device.issuedAt !== undefined && client.device.issuedAt < since;
    return !known && !(await this.meetings.isDeviceMember(id, client.device.id));
  }

  private roleFor(meeting: Meeting, passcode: string): 'host' | 'participant' | undefined {
    // Both comparisons always run, so timing does not tell which passcode was close.
    const host = secretsEqual(passcode, meeting.hostPassword);
    const participant = secretsEqual(passcode, meeting.conferencePassword);
    return host ? 'host' : participant ? 'participant' : undefined;
  }

  private async grant(meeting: Meeting, asked: 'host' | 'participant', client: Client, knock: boolean, user?: TicketUser): Promise<AdmissionResult> {
    const deviceId = client.device.id;
    if (meeting.status === MeetingStatus.ended) return { ok: false, reason: 'meetingEnded' };
    if (await this.barred(meeting, client, user)) return { ok: false, reason: 'removed' };
    // A signed-in organizer runs their meeting, whatever credential they came with.
    const organizer = user !== undefined && meeting.creatorUnionId === user.unionId && meeting.corpId === user.corpId;
    const role = organizer ? 'host' : asked;
    const refusal = await this.entry?.atAdmission(meeting, role, deviceId, knock);
    // Signed-in members of the meeting's organization are the employees "internal only" admits.
    if (refusal && !(refusal === 'internalOnly' && user?.corpId === meeting.corpId)) return { ok: false, reason: refusal };
    const claims: TicketClaims = {
      conferenceId: meeting.conferenceId,
      role,
      deviceId,
      exp: this.now() + TICKET_LIFETIME_MS,
      ...(user ? { user: { corpId: user.corpId, unionId: user.unionId } } : {}),
      net: client.network,
    };
    return { ok: true, ticket: this.signer.sign(claims), claims, meeting };
  }
}
