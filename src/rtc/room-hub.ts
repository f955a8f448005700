import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { MeetingSettings } from '../domain/meeting-settings.js';
import type { PresenceService } from '../domain/presence.js';
import { Rejection } from '../domain/rejection.js';
import type { TicketClaims, TicketSigner } from '../domain/tickets.js';
import { CloseCode, type RoomErrorCode } from '../protocol/room.js';
import { LiveRoom, type MediaRoom, type Participant, type Peer } from './live-room.js';
import { parseClientMessage, type ClientMessage } from './messages.js';
import { DEFAULT_SOCKET_LIMITS, MessageBudget, type SocketLimits } from './budget.js';
import { briefly, LogLimiter } from './log-limiter.js';
import { SfuCapacityError, SfuError } from './sfu/types.js';
import { sha256Hex } from '../domain/secrets.js';

export interface MediaServer {
  room(conferenceId: string): MediaRoom;
  closeRoom(conferenceId: string): Promise<void>;
  /** Whether a newcomer to the meeting would get media ports now; undefined = yes. */
  admits?(conferenceId: string): 'meetingShare' | 'serverFull' | undefined;
}

const HELLO_TIMEOUT_MS = 10_000;

/** What the deployment learns from this hub's rooms (src/cluster): openings and closings. */
export interface RoomHooks {
  /** Before the first person enters a room that is not live here: settle what a lost host left open. */
  beforeOpen(conferenceId: string): Promise<void>;
  /** The room emptied or ended here. */
  closed(conferenceId: string): void;
}
const MAX_FRAME_BYTES = 256 * 1024;

type Refusal = { code: RoomErrorCode; message: string };
const refusals = {
  ticket: { code: 'ticketInvalid', message: 'Your admission to this meeting is no longer valid. Join again.' },
  ended: { code: 'meetingEnded', message: 'This meeting has ended.' },
  banned: { code: 'removed', message: 'You were removed from this meeting by the host.' },
  notFound: { code: 'ticketInvalid', message: 'This meeting does not exist.' },
  invalidParams: { code: 'badName', message: 'Enter a name of 1 to 64 characters.' },
  locked: { code: 'meetingLocked', message: 'This meeting is locked: nobody new can join. Ask the host to unlock it.' },
  internalOnly: { code: 'internalOnly', message: 'This meeting is only open to members of the organization.' },
  full: { code: 'meetingFull', message: 'This meeting is full. Try again when someone leaves.' },
  meetingShare: { code: 'serverFull', message: 'This meeting has all the media capacity this server gives one meeting. Try again when someone leaves.' },
  serverFull: { code: 'serverFull', message: 'The server is full right now. Try again in a few minutes.' },
} satisfies Record<string, Refusal>;

/** All live rooms of this instance, and the WebSocket side of the room protocol. */
export class RoomHub {
  private readonly rooms = new Map<string, LiveRoom>();
  /** Rooms whose past was settled when they opened here (until they close), so it is settled once. */
  private readonly opening = new Map<string, Promise<void>>();
  hooks: RoomHooks | undefined;
  /** Client-caused log lines, a few per minute per kind. */
  private readonly clientLog: LogLimiter;
  /** What one socket may send and have queued (docs/security.md). */
  limits: SocketLimits = DEFAULT_SOCKET_LIMITS;
  /** Most people live in one meeting (the organization's maxParticipantsPerMeeting); none = no limit. */
  capacity: ((conferenceId: string) => Promise<number>) | undefined;

  constructor(
    private readonly media: MediaServer,
    private readonly presence: PresenceService,
    private readonly signer: TicketSigner,
    private readonly log: Logger,
    /** The meetings' stored settings, applied when a room comes alive on this instance. */
    private readonly settings?: { get(conferenceId: string): Promise<MeetingSettings> },
  ) {
    this.clientLog = new LogLimiter(log);
  }

  /** The live room of a meeting on this instance, if anyone is in it here. */
  live(conferenceId: string): LiveRoom | undefined {
    return this.rooms.get(conferenceId);
  }

  get liveRooms(): number {
    return this.rooms.size;
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  /** People in this instance's live rooms. */
  get liveParticipants(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.size;
    return n;
  }

  /** Sends everyone in the room to wherever it is hosted next; they reconnect by themselves. */
  move(conferenceId: string): void {
    this.rooms.get(conferenceId)?.shutDown({ type: 'error', code: 'serverClosing', message: 'Moving you to another server…' }, CloseCode.restart, 'room moving');
  }

  /** The meeting ended (recorded by the domain): its pages on this instance are told and closed. */
  ended(conferenceId: string): void {
    this.rooms.get(conferenceId)?.closeEnded();
  }

  async close(): Promise<void> {
    for (const room of [...this.rooms.values()]) room.shutDown({ type: 'error', code: 'serverClosing', message: 'The server is restarting. Rejoin in a moment.' }, CloseCode.restart, 'server restart');
  }

  /** Runs one browser's connection: a hello, then protocol messages in order until it closes. */
  accept(socket: WebSocket, deviceId: string | undefined, early: ReadonlyArray<{ data: RawData; isBinary: boolean }> = []): void {
    const limits = this.limits;
    let session: { room: LiveRoom; participantId: string } | undefined;
    const slowConsumer = () => {
      this.clientLog.warn('slowConsumer', { conferenceId: session?.room.conferenceId, participantId: session?.participantId, backlog: socket.bufferedAmount }, 'room socket closed: it does not read what it is sent');
      // No closing handshake: it would queue behind the backlog the browser is not reading.
      socket.terminate();
    };
    const peer: Peer = {
      send: (m) => {
        if (socket.readyState !== socket.OPEN) return;
        // A browser that stops reading must not make the server hold its messages without bound.
        if (socket.bufferedAmount > limits.maxBacklogBytes) return slowConsumer();
        socket.send(JSON.stringify(m));
      },
      close: (code, reason) => socket.close(code, reason),
    };
    const budget = new MessageBudget(limits);
    let pending = 0;
    let queue = Promise.resolve();
    const helloTimer = setTimeout(() => socket.close(CloseCode.refused, 'no hello'), HELLO_TIMEOUT_MS);

    const onFrame = (data: RawData, isBinary: boolean) => {
      if (socket.readyState !== socket.OPEN) return;
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      if (isBinary || size > MAX_FRAME_BYTES) return socket.close(1009, 'frame too large or binary');
      const message = parseClientMessage(data.toString());
      const verdict = budget.admit(message?.type);
      if (verdict === 'close' || pending >= limits.frames.burst) {
        this.clientLog.warn('flood', { conferenceId: session?.room.conferenceId, participantId: session?.participantId }, 'room socket closed: too many messages');
        // No closing handshake: a flooder would push megabytes more while it lasted.
        socket.terminate();
        return;
      }
      if (verdict === 'drop') {
        if (budget.shouldTell()) peer.send({ type: 'error', code: 'rateLimited', message: 'You are sending too fast; some of it was dropped.' });
        return;
      }
      if (!message) return peer.send({ type: 'error', code: 'badMessage', message: 'Unknown or malformed message.' });
      // Messages are handled one at a time so negotiation steps never overlap.
      pending++;
      queue = queue
        .then(async () => {
          if (!session) {
            clearTimeout(helloTimer);
            session = await this.hello(message, peer, deviceId);
            if (!session) socket.close(CloseCode.refused, 'refused');
            return;
          }
          await this.dispatch(session.room, session.participantId, message, peer);
        })
        .catch((err: unknown) => {
          if (err instanceof SfuCapacityError) {
            this.clientLog.warn('serverFull', { conferenceId: session?.room.conferenceId, err: briefly(err) }, 'no media port for a participant');
            return peer.send({ type: 'error', ...refusals.serverFull });
          }
          // What a client's bad SDP causes is the client's problem: a short line, no stack.
          if (err instanceof SfuError) {
            this.clientLog.warn('badMedia', { conferenceId: session?.room.conferenceId, participantId: session?.participantId, err: briefly(err) }, 'room message refused');
            return peer.send({ type: 'error', code: 'badMessage', message: 'The media description was not accepted.' });
          }
          this.clientLog.warn('failed', { conferenceId: session?.room.conferenceId, err: briefly(err), stackTop: err instanceof Error ? err.stack?.split('\n')[1]?.trim() : undefined }, 'room message failed');
          peer.send({ type: 'error', code: 'internal', message: 'Something went wrong; try again.' });
        })
        .finally(() => {
          pending--;
        });
    };
    for (const frame of early) onFrame(frame.data, frame.isBinary);
    socket.on('message', onFrame);
    socket.on('close', () => {
      clearTimeout(helloTimer);
      queue = queue.then(async () => {
        if (session) await session.room.leave(session.participantId, peer);
      }).catch((err: unknown) => this.log.error({ err }, 'leave failed'));
    });
  }

  private async hello(message: ClientMessage, peer: Peer, deviceId: string | undefined) {
    if (message.type !== 'hello') {
      peer.send({ type: 'error', ...refusals.ticket });
      return undefined;
    }
    const claims = this.signer.verify(message.ticket);
    if (!claims || !deviceId || claims.deviceId !== deviceId) {
      peer.send({ type: 'error', ...refusals.ticket });
      return undefined;
    }
    try {
      await this.settle(claims.conferenceId);
      // One ticket, one live connection: a second socket on it continues the same participant
      // (the newest connection wins), so a ticket can never fill a room.
      const ticketKey = sha256Hex(message.ticket);
      const open = this.rooms.get(claims.conferenceId);
      const holder = open?.holderOf(ticketKey);
      const resume = holder ?? message.participantId;
      const replacing = resume !== undefined && open?.has(resume) === true;
      if (!replacing && claims.role !== 'host') {
        // Hosts always get in, so someone can run the meeting; everyone else counts.
        const limit = open ? await this.capacityOf(open) : undefined;
        if (open && limit !== undefined && open.size >= limit) throw new Rejection('full');
      }
      if (!replacing) {
        const media = this.media.admits?.(claims.conferenceId);
        if (media) throw new Rejection(media);
      }
      const { meeting, member } = await this.presence.enter(claims, message.name, resume);
      const settings = !this.rooms.has(meeting.conferenceId) ? await this.settings?.get(meeting.conferenceId) : undefined;
      const room = this.roomFor(meeting.conferenceId);
      if (settings) room.applySettings(settings);
      const info = {
        participantId: member.memberId,
        name: member.nick,
        role: member.host ? ('host' as const) : member.coHost ? ('cohost' as const) : ('participant' as const),
        mic: message.mic,
        camera: message.camera,
        screen: false,
      };
      try {
        await room.join(info, peer, meeting, member.unionId, claims.net);
      } catch (err) {
        // Entered in the records but not in the room (no media ports after all): the visit ends.
        await this.presence.leave(meeting.conferenceId, member.memberId);
        if (room.size === 0) room.shutDown({ type: 'ended' }, CloseCode.refused, 'empty');
        if (err instanceof SfuCapacityError) throw new Rejection('serverFull');
        throw err;
      }
      room.bindTicket(ticketKey, member.memberId);
      return { room, participantId: member.memberId };
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      peer.send({ type: 'error', ...((refusals as Record<string, Refusal | undefined>)[err.reason] ?? refusals.ticket) });
      return undefined;
    }
  }

  /**
   * A participant without a browser (a phone caller, src/sip) enters a room on this instance: the
   * checks of a page's hello (capacity, entry rules, bars), recorded as a pstnJoin member, then
   * `addMedia` puts their voice into the SFU. Throws Rejection(reason) when refused.
   */
  async enterLocal(claims: TicketClaims, name: string, peer: Peer, source: NonNullable<Participant['source']>, addMedia: (participantId: string) => Promise<void>): Promise<{ room: LiveRoom; participantId: string }> {
    await this.settle(claims.conferenceId);
    const open = this.rooms.get(claims.conferenceId);
    const limit = open && claims.role !== 'host' ? await this.capacityOf(open) : undefined;
    if (open && limit !== undefined && open.size >= limit) throw new Rejection('full');
    const { meeting, member } = await this.presence.enter(claims, name, undefined, { pstn: source === 'phone' });
    const settings = !this.rooms.has(meeting.conferenceId) ? await this.settings?.get(meeting.conferenceId) : undefined;
    const room = this.roomFor(meeting.conferenceId);
    if (settings) room.applySettings(settings);
    const role = member.host ? ('host' as const) : member.coHost ? ('cohost' as const) : ('participant' as const);
    const info: Participant = { participantId: member.memberId, name: member.nick, role, mic: true, camera: false, screen: false, source };
    try {
      await room.join(info, peer, meeting, null, undefined, () => addMedia(member.memberId));
    } catch (err) {
      await this.presence.leave(meeting.conferenceId, member.memberId);
      if (room.size === 0) room.shutDown({ type: 'ended' }, CloseCode.refused, 'empty');
      throw err;
    }
    return { room, participantId: member.memberId };
  }

  /** The meeting's limit of people, looked up once per live room. */
  private async capacityOf(room: LiveRoom): Promise<number | undefined> {
    if (!this.capacity) return undefined;
    room.capacity ??= await this.capacity(room.conferenceId);
    return room.capacity;
  }

  private async dispatch(room: LiveRoom, me: string, m: ClientMessage, peer: Peer): Promise<void> {
    switch (m.type) {
      case 'publish':
        return room.publish(me, m.sdp, m.tracks);
      case 'subscribe-answer':
        return room.subscribeAnswer(me, m.sdp);
      case 'media':
        return room.updateMedia(me, m);
      case 'speaking':
        return room.speaking(me, m.speaking);
      case 'chat':
        return room.say(me, m.text);
      case 'mute':
        return room.mute(me, m.participantId);
      case 'remove':
        return room.remove(me, m.participantId);
      case 'end':
        return room.end(me);
      case 'leave':
        await room.leave(me, peer);
        return peer.close(CloseCode.left, 'left');
      case 'hello':
        return peer.send({ type: 'error', code: 'badMessage', message: 'Already in the room.' });
    }
  }

  private settle(conferenceId: string): Promise<void> {
    let pending = this.opening.get(conferenceId);
    if (!pending) {
      pending = this.hooks?.beforeOpen(conferenceId) ?? Promise.resolve();
      pending.catch(() => this.opening.delete(conferenceId));
      this.opening.set(conferenceId, pending);
    }
    return pending;
  }

  private roomFor(conferenceId: string): LiveRoom {
    let room = this.rooms.get(conferenceId);
    if (!room) {
      const created: LiveRoom = new LiveRoom(conferenceId, this.media.room(conferenceId), this.presence, this.log, () => {
        if (this.rooms.get(conferenceId) === created) {
          this.rooms.delete(conferenceId);
          this.opening.delete(conferenceId);
          this.hooks?.closed(conferenceId);
        }
        this.media.closeRoom(conferenceId).catch((err: unknown) => this.log.error({ err, conferenceId }, 'closing media room failed'));
      });
      room = created;
      this.rooms.set(conferenceId, room);
    }
    return room;
  }
}
