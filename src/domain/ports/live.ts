/** What the domain tells the live side: rooms (wherever they are hosted) and users' open pages. */
import type { MeetingSettings } from '../meeting-settings.js';
import type { UserPageMessage } from '../user-meetings.js';

/** Where rings go: the open pages of a signed-in user (src/rtc/user-hub.ts). */
export interface RingTarget {
  push(corpId: string, unionId: string, message: UserPageMessage): number;
  /** How many signed-in users have a page open (anywhere on this instance). */
  readonly listeners: number;
}

/** What the controls do to the live rooms of this instance (src/rtc/room-controls.ts). */
export interface LiveControls {
  /** The meeting has ended (already recorded): every page is told and closed. */
  end(conferenceId: string): Promise<void>;
  /** The member's page leaves the room; with `ban` it is told it cannot come back. */
  eject(conferenceId: string, memberId: string, ban: boolean): Promise<void>;
  mute(conferenceId: string, memberId: string): void;
  /** Lets one member speak again, even under a forced mute, and asks them to unmute. */
  allowUnmute(conferenceId: string, memberId: string): void;
  muteEveryone(conferenceId: string): void;
  settingsChanged(conferenceId: string, settings: MeetingSettings): void;
  roleChanged(conferenceId: string, memberId: string, role: LiveRole): void;
}

export type LiveRole = 'host' | 'cohost' | 'participant';
