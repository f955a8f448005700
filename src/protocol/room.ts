/**
 * The meeting room's wire protocol (docs/room-protocol.md): the one definition both sides compile
 * against. The server (src/rtc) and the page (web/src, through Vite) import this file, so it
 * imports nothing and uses nothing of Node or the DOM: types, plain JSON-schema objects, constants.
 *
 * Adding a message: add it to ClientMessage (and a schema to CLIENT_SCHEMAS, which the compiler
 * demands) or to ServerMessage; the server's `Peer.send` and the page's handler switch are typed by
 * these unions, so both sides are told where they must follow.
 */

/** Co-hosts moderate like the host but cannot end the meeting or act on the host. */
export type Role = 'host' | 'cohost' | 'participant';
export type Source = 'mic' | 'camera' | 'screen';
export const SOURCES: readonly Source[] = ['mic', 'camera', 'screen'];

/** What `POST /api/admit` answers: the ticket the `hello` carries. */
export interface Admission {
  ticket: string;
  conferenceId: string;
  title: string;
  role: Role;
}

export interface Participant {
  participantId: string;
  name: string;
  role: Role;
  mic: boolean;
  camera: boolean;
  screen: boolean;
  /** 'phone': a caller on the telephone (docs/dial-in.md), heard through the server; `name` is their masked number. */
  source?: 'phone';
}

export interface MediaState {
  mic: boolean;
  camera: boolean;
  screen: boolean;
}

export interface ChatMessage {
  participantId: string;
  name: string;
  text: string;
  /** Milliseconds since the epoch, server clock. */
  at: number;
}

export interface MeetingInfo {
  conferenceId: string;
  title: string;
  roomCode: string;
}

/** The meeting's rules, and what they mean for this participant (`settings` frame). */
export interface RoomRules {
  locked: boolean;
  muteAll: boolean;
  allowUnmuteSelf: boolean;
  forbiddenShareScreen: boolean;
  onlyInternalEmployeesJoin: boolean;
  autoTransferHost: boolean;
  /** False while a forced mute holds this participant. */
  canUnmute: boolean;
  canShare: boolean;
}

/** One upstream track as the browser declares it in `publish`. */
export interface PublishedTrack {
  mid: string;
  source: Source;
}

/** One downstream m-section: which participant's which source arrives on `mid`. */
export interface RemoteTrackInfo {
  mid: string;
  participantId: string;
  source: Source;
}

/** One entry of RTCConfiguration.iceServers. */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/** What the page builds its peer connections with (`welcome.ice`): TURN servers and the policy. */
export interface ClientIce {
  iceServers: IceServer[];
  iceTransportPolicy: 'all' | 'relay';
}

/** Why a page is told to turn its microphone off. */
export type MuteReason = 'host' | 'muteAll' | 'forced';

export type ClientMessage =
  | { type: 'hello'; ticket: string; name: string; mic: boolean; camera: boolean; participantId?: string }
  | { type: 'publish'; sdp: string; tracks: PublishedTrack[] }
  | { type: 'subscribe-answer'; sdp: string }
  | ({ type: 'media' } & MediaState)
  | { type: 'speaking'; speaking: boolean }
  | { type: 'chat'; text: string }
  | { type: 'mute'; participantId: string }
  | { type: 'remove'; participantId: string }
  | { type: 'end' }
  | { type: 'leave' };

/**
 * Codes of `error` frames. The page shows its own text for a code it knows (its message catalogue)
 * and the server's `message` otherwise.
 */
export type RoomErrorCode =
  | 'ticketInvalid'
  | 'meetingEnded'
  | 'removed'
  | 'badName'
  | 'meetingLocked'
  | 'internalOnly'
  | 'meetingFull'
  | 'serverFull'
  | 'rateLimited'
  | 'badMessage'
  | 'internal'
  | 'serverClosing'
  | 'notHost';

export type ServerMessage =
  | { type: 'welcome'; you: Participant; meeting: MeetingInfo; participants: Participant[]; chat: ChatMessage[]; ice?: ClientIce | undefined }
  | { type: 'publish-answer'; sdp: string }
  | { type: 'subscribe-offer'; sdp: string; tracks: RemoteTrackInfo[] }
  | { type: 'participant-joined'; participant: Participant }
  | { type: 'participant-updated'; participant: Participant }
  | { type: 'participant-left'; participantId: string }
  | { type: 'speaking'; participantId: string; speaking: boolean }
  | ({ type: 'chat' } & ChatMessage)
  | { type: 'muted'; by?: string; reason?: MuteReason }
  | { type: 'unmute-request' }
  | ({ type: 'settings' } & RoomRules)
  | { type: 'focus'; participantId: string | null }
  | { type: 'removed'; rejoin?: boolean }
  | { type: 'ended' }
  | { type: 'error'; code: RoomErrorCode; message: string };

/** The server message of one type, e.g. `ServerMessageOf<'chat'>`. */
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/**
 * WebSocket close codes (4000–4999 are the application's own). The final ones tell the page not to
 * come back by itself; `restart` (1012, "service restart") asks it to reconnect at once.
 */
export const CloseCode = {
  replaced: 4000,
  removed: 4001,
  ended: 4002,
  refused: 4003,
  left: 4004,
  kicked: 4005,
  restart: 1012,
} as const;
export type CloseCodeName = keyof typeof CloseCode;

/** Limits both sides hold to: the page never sends what the server would refuse. */
export const LIMITS = {
  /** Characters of one chat message. */
  chatText: 2000,
  /** Code points of a display name (src/domain/presence.ts checks the same). */
  name: 64,
  /** Characters the `hello` may carry as a name before the domain's own check. */
  helloName: 256,
  ticket: 4096,
  id: 64,
  sdp: 200_000,
  mid: 16,
  tracksPerPublish: 8,
} as const;

/** Largest chat message the server accepts. */
export const CHAT_MAX = LIMITS.chatText;

interface Shape {
  properties: Record<string, unknown>;
  required: string[];
}

const id = { type: 'string', minLength: 1, maxLength: LIMITS.id };
const sdp = { type: 'string', minLength: 1, maxLength: LIMITS.sdp };
const bool = { type: 'boolean' };

/** JSON Schema of each client message's fields (the server compiles them; `type` is added there). */
export const CLIENT_SCHEMAS: Record<ClientMessage['type'], Shape> = {
  hello: {
    properties: { ticket: { type: 'string', maxLength: LIMITS.ticket }, name: { type: 'string', maxLength: LIMITS.helloName }, mic: bool, camera: bool, participantId: id },
    required: ['ticket', 'name', 'mic', 'camera'],
  },
  publish: {
    properties: {
      sdp,
      tracks: {
        type: 'array',
        maxItems: LIMITS.tracksPerPublish,
        items: {
          type: 'object',
          properties: { mid: { type: 'string', minLength: 1, maxLength: LIMITS.mid }, source: { enum: [...SOURCES] } },
          required: ['mid', 'source'],
        },
      },
    },
    required: ['sdp', 'tracks'],
  },
  'subscribe-answer': { properties: { sdp }, required: ['sdp'] },
  media: { properties: { mic: bool, camera: bool, screen: bool }, required: ['mic', 'camera', 'screen'] },
  speaking: { properties: { speaking: bool }, required: ['speaking'] },
  chat: { properties: { text: { type: 'string', minLength: 1, maxLength: LIMITS.chatText } }, required: ['text'] },
  mute: { properties: { participantId: id }, required: ['participantId'] },
  remove: { properties: { participantId: id }, required: ['participantId'] },
  end: { properties: {}, required: [] },
  leave: { properties: {}, required: [] },
};
