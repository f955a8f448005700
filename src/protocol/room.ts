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
  /** The page stopped answering or its socket dropped; it may come back as this participant. */
  reconnecting: boolean;
  /** Raised hand: the room's running number when it went up (lower = earlier); null = down. */
  hand: number | null;
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
  /** When the meeting started (epoch ms, server clock), for the page's timer. */
  startedAt?: number;
}

/** The invite panel's details (`invite` frame); the host passcode is sent to hosts only. */
export interface InviteDetails {
  link: string;
  roomCode: string;
  passcode: string;
  hostPasscode?: string;
}

/** Someone waiting at the door, as hosts and co-hosts see them (`knocks` frame). */
export interface KnockInfo {
  knockId: string;
  name: string;
  /** When they knocked (epoch ms). */
  at: number;
}

/** Reactions a page may send: a fixed set, so nobody can push arbitrary text to every screen. */
export const REACTIONS = ['👍', '👏', '😂', '❤️', '🎉', '😮'] as const;
export type Reaction = (typeof REACTIONS)[number];

/** The meeting's rules, and what they mean for this participant (`settings` frame). */
export interface RoomRules {
  locked: boolean;
  muteAll: boolean;
  allowUnmuteSelf: boolean;
  forbiddenShareScreen: boolean;
  onlyInternalEmployeesJoin: boolean;
  autoTransferHost: boolean;
  /** Newcomers wait at the door until a host or co-host lets them in. */
  waitingRoom: boolean;
  /** False while a forced mute holds this participant. */
  canUnmute: boolean;
  canShare: boolean;
}

/**
 * A camera's simulcast layers, lowest first: the rids the page sends (¼, ½ and full size) and the order
 * the SFU ranks them in. A screen share is one layer, tuned for detail.
 */
export const SIMULCAST_RIDS = ['l', 'm', 'h'] as const;
export type SimulcastRid = (typeof SIMULCAST_RIDS)[number];

/** One tile a page shows, in device pixels: the SFU sends it the smallest layer that fills it. */
export interface TileView {
  participantId: string;
  source: Source;
  width: number;
  height: number;
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

/**
 * What a page measures with getStats() and reports every `statsIntervalMs` of its `welcome`
 * (`stats` frame): rates over its last interval, not totals. Every field is optional — a page sends
 * what its browser knows. Bit rates in bit/s, times in ms, loss in percent, levels 0–1.
 */
export interface StatsReport {
  audioSend?: number;
  audioRecv?: number;
  cameraSend?: number;
  cameraRecv?: number;
  screenSend?: number;
  screenRecv?: number;
  /** "WxH" of the camera/screen it sends, and of the largest it receives. */
  cameraSendRes?: string;
  cameraRecvRes?: string;
  screenSendRes?: string;
  screenRecvRes?: string;
  cameraSendFps?: number;
  cameraRecvFps?: number;
  screenSendFps?: number;
  screenRecvFps?: number;
  /** Round trip of its connection to the SFU (the selected candidate pair). */
  rtt?: number;
  /** Loss of what it sends, as the SFU's receiver reports tell it. */
  lossUp?: number;
  /** Loss of what it receives. */
  lossDown?: number;
  jitter?: number;
  micLevel?: number;
  playLevel?: number;
  /** What its congestion control lets it send (availableOutgoingBitrate). */
  availableSend?: number;
}

/** A connection's quality as the server measures it (`quality` frame): 0 unknown, 1 poor, 2 fair, 3 good. */
export type QualityLevel = 0 | 1 | 2 | 3;

/** Why a page is told to turn its microphone off. */
export type MuteReason = 'host' | 'muteAll' | 'forced';

export type ClientMessage =
  /** `knock`: at a locked meeting, wait at the door for a host instead of being refused. */
  | { type: 'hello'; ticket: string; name: string; mic: boolean; camera: boolean; participantId?: string; knock?: boolean }
  | { type: 'publish'; sdp: string; tracks: PublishedTrack[] }
  | { type: 'subscribe-answer'; sdp: string }
  | ({ type: 'media' } & MediaState)
  /** Own voice activity: only for a microphone whose packets carry no audio level (the server measures the rest). */
  | { type: 'speaking'; speaking: boolean }
  | { type: 'chat'; text: string }
  | { type: 'mute'; participantId: string }
  | { type: 'remove'; participantId: string }
  | { type: 'end' }
  | { type: 'leave' }
  | ({ type: 'stats' } & StatsReport)
  | { type: 'view'; tiles: TileView[] }
  // Host tools (hosts and co-hosts; `cohost` hosts only): the API's own operations.
  | { type: 'mute-all'; allowUnmuteSelf: boolean }
  | { type: 'unmute-all' }
  | { type: 'lock'; locked: boolean }
  | { type: 'waiting-room'; on: boolean }
  | { type: 'cohost'; participantId: string; on: boolean }
  | { type: 'spotlight'; participantId: string | null }
  | { type: 'admit'; knockId: string }
  | { type: 'deny'; knockId: string }
  | { type: 'lower-hand'; participantId: string | null }
  // Etiquette, for everyone.
  | { type: 'hand'; raised: boolean }
  | { type: 'reaction'; emoji: string };

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
  | { type: 'welcome'; you: Participant; meeting: MeetingInfo; participants: Participant[]; chat: ChatMessage[]; ice?: ClientIce | undefined; statsIntervalMs?: number | undefined }
  | { type: 'publish-answer'; sdp: string }
  /** Which simulcast layers of the page's camera anyone receives: the page pauses the others' encoders. */
  | { type: 'layers'; source: Source; active: boolean[] }
  | { type: 'subscribe-offer'; sdp: string; tracks: RemoteTrackInfo[] }
  /** Which mid of the downstream connection carries whom, now (the whole list; replaces the last offer's or frame's). No answer. */
  | { type: 'subscribe-tracks'; tracks: RemoteTrackInfo[] }
  | { type: 'participant-joined'; participant: Participant }
  | { type: 'participant-updated'; participant: Participant }
  | { type: 'participant-left'; participantId: string }
  /** Voice activity of another participant, as the server measures it from their packets' audio levels. */
  | { type: 'speaking'; participantId: string; speaking: boolean }
  /** The meeting's dominant speaker (speaker view shows them); null: they left and nobody speaks. Sent on changes and to newcomers. */
  | { type: 'active-speaker'; participantId: string | null }
  | ({ type: 'chat' } & ChatMessage)
  | { type: 'muted'; by?: string; reason?: MuteReason }
  | { type: 'unmute-request' }
  | ({ type: 'settings' } & RoomRules)
  | { type: 'focus'; participantId: string | null }
  | { type: 'removed'; rejoin?: boolean }
  | { type: 'ended' }
  | ({ type: 'invite' } & InviteDetails)
  | { type: 'knocks'; knocks: KnockInfo[] }
  /** You are at the door: a host or co-host will let you in (then `welcome` follows on this socket). */
  | { type: 'waiting' }
  /** The host did not let you in; the socket closes (4006). */
  | { type: 'denied' }
  | { type: 'hand-lowered'; by: string }
  | { type: 'reaction'; participantId: string; emoji: string }
  /** The meeting is (no longer) recorded or pushed live; `changed` = it just changed (show a notice), false = the state a joiner finds. */
  | { type: 'recording'; recording: boolean; streaming: boolean; changed: boolean }
  | { type: 'error'; code: RoomErrorCode; message: string }
  /** Everyone's connection quality by participantId; sent when a level changes and to newcomers. */
  | { type: 'quality'; levels: Record<string, QualityLevel> };

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
  denied: 4006,
  /** Sent by the page when it closes a socket to reconnect at once: not a leave. */
  reconnecting: 4010,
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
  /** Tiles one `view` may list (a gallery page's worth and more). */
  tilesPerView: 100,
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
const rate = { type: 'number', minimum: 0, maximum: 1e10 };
const resolution = { type: 'string', maxLength: 11, pattern: '^([0-9]{1,5}x[0-9]{1,5})?$' };
const fps = { type: 'number', minimum: 0, maximum: 1000 };
const ms = { type: 'number', minimum: 0, maximum: 600_000 };
const percent = { type: 'number', minimum: 0, maximum: 100 };
const level = { type: 'number', minimum: 0, maximum: 1 };
const STATS_REPORT: Record<keyof StatsReport, object> = {
  audioSend: rate,
  audioRecv: rate,
  cameraSend: rate,
  cameraRecv: rate,
  screenSend: rate,
  screenRecv: rate,
  cameraSendRes: resolution,
  cameraRecvRes: resolution,
  screenSendRes: resolution,
  screenRecvRes: resolution,
  cameraSendFps: fps,
  cameraRecvFps: fps,
  screenSendFps: fps,
  screenRecvFps: fps,
  rtt: ms,
  lossUp: percent,
  lossDown: percent,
  jitter: ms,
  micLevel: level,
  playLevel: level,
  availableSend: rate,
};

/** JSON Schema of each client message's fields (the server compiles them; `type` is added there). */
export const CLIENT_SCHEMAS: Record<ClientMessage['type'], Shape> = {
  hello: {
    properties: { ticket: { type: 'string', maxLength: LIMITS.ticket }, name: { type: 'string', maxLength: LIMITS.helloName }, mic: bool, camera: bool, participantId: id, knock: bool },
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
  view: {
    properties: {
      tiles: {
        type: 'array',
        maxItems: LIMITS.tilesPerView,
        items: {
          type: 'object',
          properties: { participantId: id, source: { enum: [...SOURCES] }, width: { type: 'integer', minimum: 0, maximum: 16384 }, height: { type: 'integer', minimum: 0, maximum: 16384 } },
          required: ['participantId', 'source', 'width', 'height'],
        },
      },
    },
    required: ['tiles'],
  },
  media: { properties: { mic: bool, camera: bool, screen: bool }, required: ['mic', 'camera', 'screen'] },
  speaking: { properties: { speaking: bool }, required: ['speaking'] },
  chat: { properties: { text: { type: 'string', minLength: 1, maxLength: LIMITS.chatText } }, required: ['text'] },
  mute: { properties: { participantId: id }, required: ['participantId'] },
  remove: { properties: { participantId: id }, required: ['participantId'] },
  end: { properties: {}, required: [] },
  leave: { properties: {}, required: [] },
  stats: { properties: STATS_REPORT, required: [] },
  'mute-all': { properties: { allowUnmuteSelf: bool }, required: ['allowUnmuteSelf'] },
  'unmute-all': { properties: {}, required: [] },
  lock: { properties: { locked: bool }, required: ['locked'] },
  'waiting-room': { properties: { on: bool }, required: ['on'] },
  cohost: { properties: { participantId: id, on: bool }, required: ['participantId', 'on'] },
  spotlight: { properties: { participantId: { anyOf: [id, { type: 'null' }] } }, required: ['participantId'] },
  admit: { properties: { knockId: id }, required: ['knockId'] },
  deny: { properties: { knockId: id }, required: ['knockId'] },
  'lower-hand': { properties: { participantId: { anyOf: [id, { type: 'null' }] } }, required: ['participantId'] },
  hand: { properties: { raised: bool }, required: ['raised'] },
  reaction: { properties: { emoji: { enum: [...REACTIONS] } }, required: ['emoji'] },
};
