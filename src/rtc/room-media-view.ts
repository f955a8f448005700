import type { RoomView } from '../media/media-engine.js';
import type { RoomHub } from './room-hub.js';

/** What recording and stream-out see of this instance's live rooms. */
export function roomView(rooms: RoomHub): RoomView {
  return {
    live: (id) => rooms.live(id) !== undefined,
    prominence: (id) => rooms.live(id)?.prominence() ?? [],
    hostPresent: (id) => rooms.live(id)?.roster().some((p) => p.role === 'host') ?? false,
    announce: (id, state) => rooms.live(id)?.setRecordingState(state),
  };
}
