import type { MeetingSettings } from '../domain/meeting-settings.js';
import type { RoomHub } from './room-hub.js';
import type { LiveControls, LiveRole } from '../domain/ports/index.js';

/**
 * The control API's effect on the rooms of this instance. A meeting nobody is in here has no
 * live room: its records and settings (written before these calls) are all there is to change.
 */
export class RoomControls implements LiveControls {
  constructor(private readonly hub: RoomHub) {}

  async end(conferenceId: string): Promise<void> {
    this.hub.ended(conferenceId);
  }

  async eject(conferenceId: string, memberId: string, ban: boolean): Promise<void> {
    await this.hub.live(conferenceId)?.eject(memberId, ban);
  }

  mute(conferenceId: string, memberId: string): void {
    this.hub.live(conferenceId)?.silence(memberId, 'host');
  }

  allowUnmute(conferenceId: string, memberId: string): void {
    this.hub.live(conferenceId)?.allowUnmute(memberId);
  }

  muteEveryone(conferenceId: string): void {
    this.hub.live(conferenceId)?.muteEveryone();
  }

  settingsChanged(conferenceId: string, settings: MeetingSettings): void {
    this.hub.live(conferenceId)?.applySettings(settings);
  }

  roleChanged(conferenceId: string, memberId: string, role: LiveRole): void {
    this.hub.live(conferenceId)?.setRole(memberId, role);
  }
}
