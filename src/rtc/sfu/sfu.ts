import { isIP, isIPv4 } from 'node:net';
import type { SfuOptions } from './options.js';
import { SfuRoom } from './room.js';
import { PortBudget } from './port-budget.js';
import type { ForwardTally } from './types.js';

export type { SfuOptions } from './options.js';
export { SfuRoom } from './room.js';
export type { UpstreamTrack, RtpSink } from './upstream-track.js';
export { SfuError, SfuCapacityError, type ForwardTally, type DownstreamTrack, type PublishedTrack, type Source, type SfuLogger } from './types.js';

/** The forwarding server: one SfuRoom per meeting, all in this process, built on werift. */
export class Sfu {
  private readonly rooms = new Map<string, SfuRoom>();
  private readonly opts: SfuOptions;
  /** Everything every room has forwarded since start. */
  readonly forwarded: ForwardTally;

  constructor(opts: SfuOptions = {}) {
    if (opts.listenIp && !isIPv4(opts.listenIp)) throw new RangeError(`RTC listen address must be IPv4, got "${opts.listenIp}"`);
    if (opts.announcedIp && !isIP(opts.announcedIp)) throw new RangeError(`RTC announced address must be an IP address, got "${opts.announcedIp}"`);
    const range = opts.portRange;
    if (range && !(Number.isInteger(range[0]) && Number.isInteger(range[1]) && 0 < range[0] && range[0] < range[1] && range[1] <= 65535)) {
      throw new RangeError(`invalid RTC port range ${range[0]}-${range[1]}`);
    }
    this.forwarded = opts.forwarded ?? { packets: 0, payloadBytes: 0 };
    this.opts = { ...opts, forwarded: this.forwarded, ...(range ? { ports: opts.ports ?? new PortBudget(range) } : {}) };
  }

  /** Whether a newcomer to the meeting would get media ports now; undefined = yes. */
  admits(conferenceId: string): 'meetingShare' | 'serverFull' | undefined {
    return this.opts.ports?.check(conferenceId);
  }

  /** The meeting's room, created on first use. */
  room(conferenceId: string): SfuRoom {
    let room = this.rooms.get(conferenceId);
    if (!room) {
      room = new SfuRoom(conferenceId, this.opts);
      this.rooms.set(conferenceId, room);
    }
    return room;
  }

  /** The meeting's room if it exists, without creating one. */
  existing(conferenceId: string): SfuRoom | undefined {
    return this.rooms.get(conferenceId);
  }

  async closeRoom(conferenceId: string): Promise<void> {
    const room = this.rooms.get(conferenceId);
    if (!room) return;
    this.rooms.delete(conferenceId);
    await room.close();
  }

  async close(): Promise<void> {
    const rooms = [...this.rooms.values()];
    this.rooms.clear();
    await Promise.all(rooms.map((r) => r.close()));
  }

  stats(): { rooms: number; participants: number; forwardedStreams: number } {
    let participants = 0;
    let forwardedStreams = 0;
    for (const room of this.rooms.values()) {
      const s = room.stats();
      participants += s.participants;
      forwardedStreams += s.forwardedStreams;
    }
    return { rooms: this.rooms.size, participants, forwardedStreams };
  }
}
