import { Gauge, type Registry } from 'prom-client';

/** What the metrics read from the rooms of this instance (RoomHub). */
export interface LiveRoomCounts {
  readonly liveRooms: number;
  readonly liveParticipants: number;
}

/** Live rooms and the people in them, read at scrape time (nothing is counted as people come and go). */
export function registerRoomMetrics(registry: Registry, rooms: LiveRoomCounts): void {
  new Gauge({
    name: 'vconf_live_rooms',
    help: 'Meetings with someone in them on this instance',
    registers: [registry],
    collect() {
      this.set(rooms.liveRooms);
    },
  });
  new Gauge({
    name: 'vconf_live_participants',
    help: 'People in the live rooms of this instance',
    registers: [registry],
    collect() {
      this.set(rooms.liveParticipants);
    },
  });
}
