import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { MeetingSettings } from '../domain/meeting-settings.js';
import type { PresenceService } from '../domain/presence.js';
import { Rejection } from '../domain/rejection.js';
import type { TicketClaims, TicketSigner } from '../domain/tickets.js';
import { CloseCode, type RoomErrorCode } from '../protocol/room.js';
import { LiveRoom, type MediaRoom, type Participant, type Peer, type RoomStatsOptions } from './live-room.js';
import { parseClientMessage, type ClientMessage } from './messages.js';
import { DEFAULT_SOCKET_LIMITS, MessageBudget, type SocketLimits } from './budget.js';
import { briefly, LogLimiter } from './log-limiter.js';
import { SfuCapacityError, SfuError } from './sfu/types.js';
import { randomHex, sha256Hex } from '../domain/secrets.js';
import { normalizeName } from '../domain/presence.js';
import type { RoomAction, RoomModeration } from '../domain/room-moderation.js';
import { joinLink } from '../domain/meetings.js';

export interface MediaServer {
  room(conferenceId: string): MediaRoom;
  closeRoom(conferenceId: string): Promise<void>;
  /** Whether a newcomer to the meeting would get media ports now; undefined = yes. */
  admits?(conferenceId: string): 'meetingShare' | 'serverFull' | undefined;
}

const HELLO_TIMEOUT_MS = 10_000;

/**
 * Presence that tells the truth (docs/room-protocol.md): every socket is pinged; a page silent for
 * `staleMs` shows as reconnecting and one silent for `goneMs` is dropped and leaves; a socket that
 * closes without a leave shows as reconnecting and leaves after `graceMs` unless it comes back.
 */
export interface PresenceTimings {
  pingMs: number;
  staleMs: number;
  goneMs: number;
  graceMs: number;
}
export const DEFAULT_PRESENCE_TIMINGS: PresenceTimings = { pingMs: 2500, staleMs: 6000, goneMs: 15_000, graceMs: 12_000 };
/** Close codes by which a page says it is leaving (anything else may come back). */
const DELIBERATE_CLOSE = new Set<number>([1000, 1005, CloseCode.left]);

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
  /** Where the rooms' media statistics go and how often they are taken (src/rtc/stats); none = not measured. */
  stats: RoomStatsOptions | undefined;
  /** The host's tools in the room, decided and recorded by the domain (the API's own operations). */
  moderation: RoomModeration | undefined;
  /** Base of join links, for the invite panel (filled in once the server knows its address). */
  links: { base: string } = { base: '' };
  presenceTimings: PresenceTimings = DEFAULT_PRESENCE_TIMINGS;

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
    const timings = this.presenceTimings;
    let session: { room: LiveRoom; participantId: string } | undefined;
    /** At the door: knocking, until a host answers. */
    let waiting: { room: LiveRoom; knockId: string } | undefined;
    let lastHeard = Date.now();
    let stale = false;
    /** Why the server cut this socket itself: `silent` stopped answering; `misbehaved` flooded or stopped reading. */
    let cut: 'silent' | 'misbehaved' | undefined;
    const slowConsumer = () => {
      this.clientLog.warn('slowConsumer', { conferenceId: session?.room.conferenceId, participantId: session?.participantId, backlog: socket.bufferedAmount }, 'room socket closed: it does not read what it is sent');
      // No closing handshake: it would queue behind the backlog the browser is not reading.
      cut = 'misbehaved';
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
    const heard = () => {
      lastHeard = Date.now();
      if (stale) {
        stale = false;
        if (session) session.room.alive(session.participantId, peer);
      }
    };
    // Protocol pings: a page whose browser stopped or whose network vanished stops answering.
    const heartbeat = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      const silent = Date.now() - lastHeard;
      if (silent > timings.goneMs) {
        cut = 'silent';
        return socket.terminate();
      }
      if (silent > timings.staleMs && !stale) {
        stale = true;
        if (session) session.room.stale(session.participantId, peer);
      }
      socket.ping();
    }, timings.pingMs);
    heartbeat.unref?.();
    socket.on('pong', heard);
    const entered = (s: { room: LiveRoom; participantId: string }) => {
      session = s;
      waiting = undefined;
      // Let in from the door just as the page went away: it leaves again.
      if (socket.readyState !== socket.OPEN) void s.room.leave(s.participantId, peer).catch((err: unknown) => this.log.error({ err }, 'leave failed'));
    };

    const onFrame = (data: RawData, isBinary: boolean) => {
      if (socket.readyState !== socket.OPEN) return;
      heard();
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      if (isBinary || size > MAX_FRAME_BYTES) {
        cut = 'misbehaved';
        return socket.close(1009, 'frame too large or binary');
      }
      const message = parseClientMessage(data.toString());
      const verdict = budget.admit(message?.type);
      if (verdict === 'close' || pending >= limits.frames.burst) {
        this.clientLog.warn('flood', { conferenceId: session?.room.conferenceId, participantId: session?.participantId }, 'room socket closed: too many messages');
        // No closing handshake: a flooder would push megabytes more while it lasted.
        cut = 'misbehaved';
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
          if (waiting) {
            // At the door only leaving means anything.
            if (message.type === 'leave') socket.close(CloseCode.left, 'left');
            return;
          }
          if (!session) {
            clearTimeout(helloTimer);
            const outcome = await this.hello(message, peer, deviceId, entered);
            if (outcome && 'knockId' in outcome) waiting = outcome;
            else if (outcome) entered(outcome);
            else socket.close(CloseCode.refused, 'refused');
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
    socket.on('close', (code: number) => {
      clearTimeout(helloTimer);
      clearInterval(heartbeat);
      queue = queue.then(async () => {
        if (waiting) waiting.room.withdraw(waiting.knockId);
        if (!session) return;
        // Gone silent for good, or said goodbye: leaves now. Anything else may be back in a moment.
        if (cut === 'silent') await session.room.leave(session.participantId, peer, lastHeard);
        else if (cut === 'misbehaved' || DELIBERATE_CLOSE.has(code)) await session.room.leave(session.participantId, peer);
        else await session.room.dropped(session.participantId, peer, timings.graceMs, Date.now());
      }).catch((err: unknown) => this.log.error({ err }, 'leave failed'));
    });
  }

  private async hello(
    message: ClientMessage,
    peer: Peer,
    deviceId: string | undefined,
    entered: (session: { room: LiveRoom; participantId: string }) => void,
  ): Promise<{ room: LiveRoom; participantId: string } | { room: LiveRoom; knockId: string } | undefined> {
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
      // (the newest connection wins), so a ticket can never fill a room. So does a second tab of
      // the same browser: the same person, taking their place over rather than a second tile.
      const ticketKey = sha256Hex(message.ticket);
      const open = this.rooms.get(claims.conferenceId);
      const holder = open?.holderOf(ticketKey);
      const resume = holder ?? message.participantId ?? open?.participantOfDevice(claims.deviceId);
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
      try {
        return await this.enter(claims, message, peer, ticketKey, resume, false);
      } catch (err) {
        // A waiting room, or a locked meeting the person asked to knock at: they wait at the door.
        const knocks = err instanceof Rejection && (err.reason === 'waiting' || (err.reason === 'locked' && message.knock === true));
        if (!knocks) throw err;
        return await this.knock(claims, message, peer, ticketKey, entered);
      }
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      peer.send({ type: 'error', ...((refusals as Record<string, Refusal | undefined>)[err.reason] ?? refusals.ticket) });
      return undefined;
    }
  }

  /** Enters the room as a member (new, resumed or let in from the door). */
  private async enter(
    claims: TicketClaims,
    message: Extract<ClientMessage, { type: 'hello' }>,
    peer: Peer,
    ticketKey: string,
    resume: string | undefined,
    admitted: boolean,
  ): Promise<{ room: LiveRoom; participantId: string }> {
    const { meeting, member } = await this.presence.enter(claims, message.name, resume, { admitted });
    const room = await this.openRoom(meeting.conferenceId);
    const info = {
      participantId: member.memberId,
      name: member.nick,
      role: member.host ? ('host' as const) : member.coHost ? ('cohost' as const) : ('participant' as const),
      mic: message.mic,
      camera: message.camera,
      screen: false,
      reconnecting: false,
      hand: null,
    };
    const details = {
      title: meeting.title,
      roomCode: meeting.roomCode,
      startedAt: meeting.startTime ?? Date.now(),
      invite: { link: joinLink(this.links.base, meeting), roomCode: meeting.roomCode, passcode: meeting.conferencePassword, hostPasscode: meeting.hostPassword },
    };
    try {
      await room.join(info, peer, details, member.unionId, claims.net, claims.deviceId);
    } catch (err) {
      // Entered in the records but not in the room (no media ports after all): the visit ends.
      await this.presence.leave(meeting.conferenceId, member.memberId);
      if (room.size === 0) room.shutDown({ type: 'ended' }, CloseCode.refused, 'empty');
      if (err instanceof SfuCapacityError) throw new Rejection('serverFull');
      throw err;
    }
    room.bindTicket(ticketKey, member.memberId);
    return { room, participantId: member.memberId };
  }

  /** Puts a newcomer at the door of the room; a host or co-host lets them in (the same socket enters). */
  private async knock(
    claims: TicketClaims,
    message: Extract<ClientMessage, { type: 'hello' }>,
    peer: Peer,
    ticketKey: string,
    entered: (session: { room: LiveRoom; participantId: string }) => void,
  ): Promise<{ room: LiveRoom; knockId: string }> {
    const name = normalizeName(message.name);
    const room = await this.openRoom(claims.conferenceId);
    const knockId = randomHex(8);
    const admit = async () => {
      try {
        entered(await this.enter(claims, message, peer, ticketKey, undefined, true));
      } catch (err) {
        const refusal = err instanceof Rejection ? (refusals as Record<string, Refusal | undefined>)[err.reason] : undefined;
        peer.send({ type: 'error', ...(refusal ?? { code: 'internal', message: 'Something went wrong; try again.' }) });
        peer.close(CloseCode.refused, 'refused');
      }
    };
    if (!room.knock({ knockId, name, at: Date.now(), peer, admit })) throw new Rejection('full');
    return { room, knockId };
  }

  /** The meeting's live room, opened with its stored settings when it is new here. */
  private async openRoom(conferenceId: string): Promise<LiveRoom> {
    const settings = !this.rooms.has(conferenceId) ? await this.settings?.get(conferenceId) : undefined;
    const room = this.roomFor(conferenceId);
    if (settings) room.applySettings(settings);
    return room;
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
    const room = await this.openRoom(meeting.conferenceId);
    const role = member.host ? ('host' as const) : member.coHost ? ('cohost' as const) : ('participant' as const);
    const info: Participant = { participantId: member.memberId, name: member.nick, role, mic: true, camera: false, screen: false, reconnecting: false, hand: null, source };
    try {
      await room.join(info, peer, { title: meeting.title, roomCode: meeting.roomCode, startedAt: meeting.startTime ?? Date.now() }, null, undefined, undefined, () => addMedia(member.memberId));
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
      case 'view':
        return room.view(me, m.tiles);
      case 'chat':
        return room.say(me, m.text);
      case 'mute':
        return room.mute(me, m.participantId);
      case 'remove':
        return room.remove(me, m.participantId);
      case 'end':
        return room.end(me);
      case 'mute-all':
        return this.moderate(room, me, { kind: 'muteAll', allowUnmuteSelf: m.allowUnmuteSelf });
      case 'unmute-all':
        return this.moderate(room, me, { kind: 'unmuteAll' });
      case 'lock':
        return this.moderate(room, me, { kind: 'lock', locked: m.locked });
      case 'waiting-room':
        return this.moderate(room, me, { kind: 'waitingRoom', on: m.on });
      case 'cohost':
        return this.moderate(room, me, { kind: 'cohost', memberId: m.participantId, on: m.on });
      case 'spotlight':
        return this.moderate(room, me, { kind: 'spotlight', memberId: m.participantId });
      case 'admit':
        return room.answerKnock(me, m.knockId, true);
      case 'deny':
        return room.answerKnock(me, m.knockId, false);
      case 'hand':
        return room.raiseHand(me, m.raised);
      case 'lower-hand':
        return room.lowerHand(me, m.participantId);
      case 'reaction':
        return room.react(me, m.emoji);
      case 'leave':
        await room.leave(me, peer);
        return peer.close(CloseCode.left, 'left');
      case 'stats': {
        const { type: _type, ...report } = m;
        return room.reportStats(me, report);
      }
      case 'hello':
        return peer.send({ type: 'error', code: 'badMessage', message: 'Already in the room.' });
    }
  }

  /** A host tool: the domain decides from the member records and records it; the room follows. */
  private async moderate(room: LiveRoom, me: string, action: RoomAction): Promise<void> {
    if (!this.moderation) return;
    try {
      await this.moderation.act(room.conferenceId, me, action);
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      const code = err.reason === 'notAllowed' ? 'notHost' : err.reason === 'ended' ? 'meetingEnded' : 'badMessage';
      room.tell(me, { type: 'error', code, message: err.reason === 'notAllowed' ? 'Only the host or a co-host can do that.' : 'That did not work.' });
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
      }, this.stats);
      room = created;
      this.rooms.set(conferenceId, room);
    }
    return room;
  }
}
