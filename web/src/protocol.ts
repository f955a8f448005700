// Wire types of docs/room-protocol.md: POST /api/admit and the /rtc/ws signaling socket.

import type { ClientIce } from './rtc/ice';

export type { ClientIce };

/** Co-hosts moderate like the host but cannot end the meeting. */
export type Role = 'host' | 'cohost' | 'participant';
export type Source = 'mic' | 'camera' | 'screen';

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
}

export interface Chat {
  participantId: string;
  name: string;
  text: string;
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

export interface MediaState {
  mic: boolean;
  camera: boolean;
  screen: boolean;
}

export type ClientMessage =
  | { type: 'hello'; ticket: string; name: string; mic: boolean; camera: boolean; participantId?: string }
  | { type: 'publish'; sdp: string; tracks: { mid: string; source: Source }[] }
  | { type: 'subscribe-answer'; sdp: string }
  | ({ type: 'media' } & MediaState)
  | { type: 'speaking'; speaking: boolean }
  | { type: 'chat'; text: string }
  | { type: 'mute'; participantId: string }
  | { type: 'remove'; participantId: string }
  | { type: 'end' }
  | { type: 'leave' };

export interface RemoteTrackInfo {
  mid: string;
  participantId: string;
  source: Source;
}

export type ServerMessage =
  | { type: 'welcome'; you: Participant; meeting: MeetingInfo; participants: Participant[]; chat: Chat[]; ice?: ClientIce }
  | { type: 'publish-answer'; sdp: string }
  | { type: 'subscribe-offer'; sdp: string; tracks: RemoteTrackInfo[] }
  | { type: 'participant-joined'; participant: Participant }
  | { type: 'participant-updated'; participant: Participant }
  | { type: 'participant-left'; participantId: string }
  | { type: 'speaking'; participantId: string; speaking: boolean }
  | ({ type: 'chat' } & Chat)
  | { type: 'muted'; by?: string; reason?: 'host' | 'muteAll' | 'forced' }
  | { type: 'unmute-request' }
  | ({ type: 'settings' } & RoomRules)
  | { type: 'focus'; participantId: string | null }
  | { type: 'removed'; rejoin?: boolean }
  | { type: 'ended' }
  | { type: 'error'; code: string; message: string };

/** Largest chat message the server accepts. */
export const CHAT_MAX = 2000;
