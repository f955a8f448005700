/**
 * A business rule said no. The domain names the reason; the API layer maps each reason to the
 * wire error of the operation at hand (the same reason can carry different codes per operation).
 */
export type RejectionReason =
  | 'invalidParams'
  | 'invalidTitle'
  | 'unknownUser'
  | 'orgForbidden'
  | 'notAllowed'
  | 'limitReached'
  | 'badCredentials'
  | 'badSuiteTicket'
  | 'notAuthorized'
  | 'unsupportedGrant'
  | 'notFound'
  | 'ended'
  | 'banned'
  | 'locked'
  | 'internalOnly'
  /** The meeting has a waiting room: a newcomer knocks (src/rtc/lobby.ts). */
  | 'waiting'
  | 'badCommand'
  /** A booked meeting that was cancelled (src/domain/schedule.ts). */
  | 'cancelled'
  /** The room holds its limit of people; the meeting holds its share of media ports; no media port is free. */
  | 'full'
  | 'meetingShare'
  | 'serverFull'
  /** An OAuth code or refresh token that is unknown, used up or expired (src/domain/oauth.ts). */
  | 'badGrant'
  /** A token of the wrong kind for the operation (e.g. an app token where a user token is needed). */
  | 'wrongToken'
  /** A capability this deployment lacks right now (recording without ffmpeg); the detail says why. */
  | 'unavailable'
  /** Nothing of that kind exists (no recording file, no such stream). */
  | 'nothingRecorded';

export class Rejection extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly detail = '',
  ) {
    super(`${reason}${detail ? `: ${detail}` : ''}`);
    this.name = 'Rejection';
  }
}
