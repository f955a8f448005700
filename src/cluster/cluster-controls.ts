import type { Logger } from 'pino';
import type { MeetingSettings } from '../domain/meeting-settings.js';
import type { ControlOp, RoomDirectory, SignalBus } from '../domain/ports/cluster.js';
import type { LiveControls, LiveRole } from '../domain/ports/index.js';

/** How long an API control waits for the hosting instance before acting as if nobody were live. */
const CONTROL_TIMEOUT_MS = 3000;

/** Runs a control on a room of this instance (the operations of LiveControls, by name). */
export function applyControl(local: LiveControls, op: ControlOp): Promise<void> {
  switch (op.name) {
    case 'end':
      return local.end(op.conferenceId);
    case 'eject':
      return local.eject(op.conferenceId, op.memberId, op.ban);
    case 'mute':
      return Promise.resolve(local.mute(op.conferenceId, op.memberId));
    case 'allowUnmute':
      return Promise.resolve(local.allowUnmute(op.conferenceId, op.memberId));
    case 'muteEveryone':
      return Promise.resolve(local.muteEveryone(op.conferenceId));
    case 'settingsChanged':
      return Promise.resolve(local.settingsChanged(op.conferenceId, op.settings));
    case 'roleChanged':
      return Promise.resolve(local.roleChanged(op.conferenceId, op.memberId, op.role));
  }
}

/**
 * The API's controls, acting on the room wherever it is hosted: here directly, on another
 * instance through a signal that is answered once the room there has acted. The domain has
 * recorded each change before; a room whose host does not answer is not live anywhere, so the
 * records are all there is to change.
 */
export class ClusterControls implements LiveControls {
  constructor(
    private readonly self: string,
    private readonly rooms: RoomDirectory,
    private readonly bus: SignalBus,
    private readonly local: LiveControls,
    private readonly log: Logger,
  ) {}

  end(conferenceId: string): Promise<void> {
    return this.route({ name: 'end', conferenceId });
  }

  eject(conferenceId: string, memberId: string, ban: boolean): Promise<void> {
    return this.route({ name: 'eject', conferenceId, memberId, ban });
  }

  mute(conferenceId: string, memberId: string): void {
    this.fire({ name: 'mute', conferenceId, memberId });
  }

  allowUnmute(conferenceId: string, memberId: string): void {
    this.fire({ name: 'allowUnmute', conferenceId, memberId });
  }

  muteEveryone(conferenceId: string): void {
    this.fire({ name: 'muteEveryone', conferenceId });
  }

  settingsChanged(conferenceId: string, settings: MeetingSettings): void {
    this.fire({ name: 'settingsChanged', conferenceId, settings });
  }

  roleChanged(conferenceId: string, memberId: string, role: LiveRole): void {
    this.fire({ name: 'roleChanged', conferenceId, memberId, role });
  }

  private fire(op: ControlOp): void {
    this.route(op).catch((err: unknown) => this.log.error({ err, op: op.name, conferenceId: op.conferenceId }, 'control did not reach the room'));
  }

  private async route(op: ControlOp): Promise<void> {
    const host = await this.rooms.hostOf(op.conferenceId);
    if (host && host !== this.self && (await this.bus.request(host, { kind: 'control', op }, CONTROL_TIMEOUT_MS))) return;
    await applyControl(this.local, op);
  }
}
