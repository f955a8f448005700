/** What signed-in users' accounts need from storage: credentials, and their meetings and invitations. */
import type { Credentials } from '../sign-in.js';
import type { BookedMeeting, CallingMember, OngoingMeeting, RingSource } from '../user-meetings.js';

/** What sign-in needs from storage (src/store/user-auth-repo.ts). */
export interface CredentialRepository {
  /** Directory users with this unionId, in `corpId` only when given. */
  find(unionId: string, corpId?: string): Promise<Credentials[]>;
  insertLink(link: { tokenHash: string; corpId: string; unionId: string; expiresAt: number }): Promise<void>;
  /** Marks the link used if it is unused and unexpired; returns its user, or undefined. Atomic. */
  consumeLink(tokenHash: string, now: number): Promise<{ corpId: string; unionId: string } | undefined>;
}

export interface UserMeetingsStore {
  meeting(conferenceId: string): Promise<RingSource | undefined>;
  ongoing(corpId: string, unionId: string): Promise<OngoingMeeting[]>;
  booked(corpId: string, unionId: string, now: number): Promise<BookedMeeting[]>;
  /** Invited members of a meeting still being called (attendStatus 2), optionally only these unionIds. */
  calling(conferenceId: string, unionIds?: readonly string[]): Promise<CallingMember[]>;
  /** Calling → declined (attendStatus 4); false when they were not being called. */
  decline(conferenceId: string, corpId: string, unionId: string): Promise<boolean>;
}
