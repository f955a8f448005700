import type { Logger } from 'pino';
import type { PresenceService } from '../domain/presence.js';
import type { Source } from './messages.js';

/** What the room needs from the SFU for one meeting (src/rtc/sfu implements it). */
export interface MediaRoom {
  onDownstreamOffer: (participantId: string, sdp: string, tracks: Array<{ mid: string; participantId: string; source: Source }>) => void;
  addParticipant(participantId: string): Promise<void>;
  publish(participantId: string, offerSdp: string, tracks: Array<{ mid: string; source: Source }>): Promise<string>;
  downstreamAnswer(participantId: string, answerSdp: string): Promise<void>;
  setForwarding(participantId: string, source: Source, enabled: boolean): void;
  removeParticipant(participantId: string): Promise<void>;
}

/** The socket side of one participant, as the room sees it. */
export interface Peer {
  send(message: object): void;
  close(code: number, reason: string): void;
}

export interface Participant {
  participantId: string;
  name: string;
  role: 'host' | 'participant';
  mic: boolean;
  camera: boolean;
  screen: boolean;
}

export interface ChatMessage {
  participantId: string;
  name: string;
  text: string;
  at: number;
}

const CHAT_HISTORY = 200;
/** WebSocket close codes the page understands (4000–4999 are the application's own). */
export const CloseCode = { replaced: 4000, removed: 4001, ended: 4002, refused: 4003, left: 4004 } as const;

/**
 * One live meeting on this instance: who is connected, their media state and chat, and the
 * host's controls. Presence is written through to the member records as it changes.
 */
export class LiveRoom {
  private readonly participants = new Map<string, { info: Participant; peer: Peer }>();
  private readonly chat: ChatMessage[] = [];
  private closed = false;

  constructor(
    readonly conferenceId: string,
    private readonly media: MediaRoom,
    private readonly presence: PresenceService,
    private readonly log: Logger,
    private readonly onEmpty: () => void,
  ) {
    media.onDownstreamOffer = (participantId, sdp, tracks) => this.participants.get(participantId)?.peer.send({ type: 'subscribe-offer', sdp, tracks });
  }

  get size(): number {
    return this.participants.size;
  }

  roster(): Participant[] {
    return [...this.participants.values()].map((p) => ({ ...p.info }));
  }

  async join(info: Participant, peer: Peer, meeting: { title: string; roomCode: string }): Promise<void> {
    const previous = this.participants.get(info.participantId);
    if (previous) {
      // The same participant reconnected (a reload, a second tab): the newest connection wins.
      this.participants.delete(info.participantId);
      previous.peer.close(CloseCode.replaced, 'replaced by a newer connection');
      await this.media.removeParticipant(info.participantId);
    }
    this.participants.set(info.participantId, { info, peer });
    await this.media.addParticipant(info.participantId);
    peer.send({
      type: 'welcome',
      you: info,
      meeting: { conferenceId: this.conferenceId, title: meeting.title, roomCode: meeting.roomCode },
      participants: this.roster().filter((p) => p.participantId !== info.participantId),
      chat: this.chat,
    });
    this.broadcast({ type: previous ? 'participant-updated' : 'participant-joined', participant: info }, info.participantId);
  }

  /** A socket closed or the page said leave. `peer` guards against a replaced connection leaving. */
  async leave(participantId: string, peer: Peer): Promise<void> {
    const current = this.participants.get(participantId);
    if (!current || current.peer !== peer) return;
    this.participants.delete(participantId);
    await this.media.removeParticipant(participantId);
    await this.presence.leave(this.conferenceId, participantId);
    this.broadcast({ type: 'participant-left', participantId });
    if (this.participants.size === 0) this.onEmpty();
  }

  async publish(participantId: string, sdp: string, tracks: Array<{ mid: string; source: Source }>): Promise<void> {
    const p = this.participants.get(participantId);
    if (!p) return;
    const answer = await this.media.publish(participantId, sdp, tracks);
    p.peer.send({ type: 'publish-answer', sdp: answer });
    // Host mute holds across renegotiation until the participant unmutes.
    if (!p.info.mic) this.media.setForwarding(participantId, 'mic', false);
  }

  async subscribeAnswer(participantId: string, sdp: string): Promise<void> {
    if (this.participants.has(participantId)) await this.media.downstreamAnswer(participantId, sdp);
  }

  updateMedia(participantId: string, state: { mic: boolean; camera: boolean; screen: boolean }): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    if (state.mic !== p.info.mic) this.media.setForwarding(participantId, 'mic', state.mic);
    p.info = { ...p.info, ...state };
    this.broadcast({ type: 'participant-updated', participant: p.info });
  }

  speaking(participantId: string, speaking: boolean): void {
    if (this.participants.has(participantId)) this.broadcast({ type: 'speaking', participantId, speaking }, participantId);
  }

  say(participantId: string, text: string): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    const message: ChatMessage = { participantId, name: p.info.name, text, at: Date.now() };
    this.chat.push(message);
    if (this.chat.length > CHAT_HISTORY) this.chat.shift();
    this.broadcast({ type: 'chat', ...message });
  }

  /** Host control: the target's microphone is cut at the SFU and their page turns it off. */
  mute(byId: string, targetId: string): void {
    if (!this.requireHost(byId)) return;
    const target = this.participants.get(targetId);
    if (!target) return;
    this.media.setForwarding(targetId, 'mic', false);
    target.info = { ...target.info, mic: false };
    target.peer.send({ type: 'muted', by: byId });
    this.broadcast({ type: 'participant-updated', participant: target.info });
  }

  /** Host control: the target leaves and their browser may not come back. */
  async remove(byId: string, targetId: string): Promise<void> {
    if (!this.requireHost(byId) || byId === targetId) return;
    const target = this.participants.get(targetId);
    await this.presence.remove(this.conferenceId, targetId);
    if (!target) return;
    this.participants.delete(targetId);
    target.peer.send({ type: 'removed' });
    target.peer.close(CloseCode.removed, 'removed by the host');
    await this.media.removeParticipant(targetId);
    this.broadcast({ type: 'participant-left', participantId: targetId });
  }

  /** Ends the meeting for everyone (host control, or the API's CloseVideoConference). */
  async end(byId?: string): Promise<void> {
    if (byId !== undefined && !this.requireHost(byId)) return;
    await this.presence.end(this.conferenceId);
    this.shutDown({ type: 'ended' }, CloseCode.ended, 'the meeting has ended');
  }

  /** Closes every connection with a final message; the room is gone afterwards. */
  shutDown(message: object, code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const { peer } of this.participants.values()) {
      peer.send(message);
      peer.close(code, reason);
    }
    this.participants.clear();
    this.onEmpty();
  }

  /** Sends to everyone in the room except `exceptId`. */
  private broadcast(message: object, exceptId?: string): void {
    for (const [id, { peer }] of this.participants) if (id !== exceptId) peer.send(message);
  }

  private requireHost(byId: string): boolean {
    const by = this.participants.get(byId);
    if (by?.info.role === 'host') return true;
    by?.peer.send({ type: 'error', code: 'notHost', message: 'Only the host can do that.' });
    this.log.warn({ conferenceId: this.conferenceId, participantId: byId }, 'host control refused');
    return false;
  }
}
