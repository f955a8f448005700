/**
 * In-meeting settings changed by the control API (LockConference, MuteAll, Focus,
 * UpdateVideoConferenceSetting). They live with the meeting, so they survive a restart and apply
 * to people who join later; the live room gets a copy whenever they change.
 */
export interface MeetingSettings {
  /** Nobody new may enter (admission and the room both refuse). */
  locked: boolean;
  /** Everyone who is not a host or co-host enters muted. */
  muteAll: boolean;
  /** False: participants (not hosts or co-hosts) cannot turn their own microphone on. */
  allowUnmuteSelf: boolean;
  /** Only hosts and co-hosts may share their screen. */
  forbiddenShareScreen: boolean;
  /** Only directory users of the meeting's organization may enter. */
  onlyInternalEmployeesJoin: boolean;
  /** When the last host leaves, the room hands the host role to someone still inside. */
  autoTransferHost: boolean;
  /** Whom every page spotlights: a member's unionId, or a guest's participantId; null = nobody. */
  focus: string | null;
  /** Newcomers wait until a host or co-host lets them in (set by the host in the room). */
  waitingRoom: boolean;
}

export type SettingsPatch = Partial<MeetingSettings>;

export const DEFAULT_SETTINGS: Readonly<MeetingSettings> = Object.freeze({
  locked: false,
  muteAll: false,
  allowUnmuteSelf: true,
  forbiddenShareScreen: false,
  onlyInternalEmployeesJoin: false,
  autoTransferHost: false,
  focus: null,
  waitingRoom: false,
});

