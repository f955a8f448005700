import type { Logger } from 'pino';
import { DEFAULT_SETTINGS, type MeetingSettings } from '../domain/meeting-settings.js';
import type { PresenceService } from '../domain/presence.js';
import { CloseCode, type ChatMessage, type ClientIce, type MuteReason, type Participant, type PublishedTrack, type RemoteTrackInfo, type ServerMessage, type ServerMessageOf, type Source } from '../protocol/room.js';

export { CloseCode, type ChatMessage, type MuteReason, type Participant };

/** What the room needs from the SFU for one meeting (src/rtc/sfu implements it). */
export interface MediaRoom {
  onDownstreamOffer: (participantId: string, sdp: string, tracks: RemoteTrackInfo[]) => void;
  addParticipant(participantId: string): Promise<void>;
  publish(participantId: string, offerSdp: string, tracks: PublishedTrack[]): Promise<string>;
  downstreamAnswer(participantId: string, answerSdp: string): Promise<void>;
  setForwarding(participantId: string, source: Source, enabled: boolean): void;
  removeParticipant(participantId: string): Promise<void>;
  /** ICE servers (with TURN credentials) and policy for the participant's page; never logged. */
  clientIce?(participantId: string): ClientIce | undefined;
}

/** The socket side of one participant, as the room sees it. */
export interface Peer {
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
}

const CHAT_HISTORY = 200;
/** Characters of chat text a newcomer is sent at most (the welcome frame stays small). */
const CHAT_HISTORY_CHARS = 32 * 1024;
/**
 * One live meeting on this instance: who is connected, their media state and chat, and the
 * host's controls. Presence is written through to the member records as it changes.
 */
export class LiveRoom {
  private readonly participants = new Map<string, { info: Participant; peer: Peer; unionId: string | null; net?: string | undefined }>();
  private readonly chat: ChatMessage[] = [];
  private chatChars = 0;
  private closed = false;
  private settings: MeetingSettings = { ...DEFAULT_SETTINGS };
  /** Participants the host let speak although self-unmute is off; cleared by the next mute-all. */
  private readonly mayUnmute = new Set<string>();
  /** Everyone who entered this live room, so mute-on-entry applies to a first entry only. */
  private readonly seen = new Set<string>();
  private focusSent: string | null = null;
  /** Each ticket's participant (by the ticket's hash): one live connection per ticket. */
  private readonly tickets = new Map<string, string>();
  /** The meeting's limit of people (set by the hub when it first needs it). */
  capacity: number | undefined;

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

  has(participantId: string): boolean {
    return this.participants.has(participantId);
  }

  /** The participant a ticket (by its hash) entered as, while the room lives. */
  holderOf(ticketKey: string): string | undefined {
    return this.tickets.get(ticketKey);
  }

  bindTicket(ticketKey: string, participantId: string): void {
    this.tickets.set(ticketKey, participantId);
  }

  roster(): Participant[] {
    return [...this.participants.values()].map((p) => ({ ...p.info }));
  }

  /** `net`: the network the participant's ticket was issued to (a removed guest's network is barred). */
  /** `addMedia`: how the participant's media enters the SFU when not by WebRTC (a phone caller's voice). */
  async join(info: Participant, peer: Peer, meeting: { title: string; roomCode: string }, unionId: string | null = null, net?: string, addMedia?: () => Promise<void>): Promise<void> {
    const firstEntry = !this.seen.has(info.participantId);
    this.seen.add(info.participantId);
    // Mute-all mutes newcomers; a forced mute holds across reconnects.
    const mutedOnEntry = info.mic && info.role === 'participant' && ((firstEntry && this.settings.muteAll) || !this.mayTalk(info.participantId, info.role));
    if (mutedOnEntry) info = { ...info, mic: false };
    const previous = this.participants.get(info.participantId);
    if (previous) {
      // The same participant reconnected (a reload, a second tab): the newest connection wins.
      this.participants.delete(info.participantId);
      previous.peer.close(CloseCode.replaced, 'replaced by a newer connection');
      await this.media.removeParticipant(info.participantId);
    }
    this.participants.set(info.participantId, { info, peer, unionId, net });
    try {
      await (addMedia ? addMedia() : this.media.addParticipant(info.participantId));
    } catch (err) {
      this.participants.delete(info.participantId);
      if (previous) this.broadcast({ type: 'participant-left', participantId: info.participantId });
      throw err;
    }
    if (!this.canShare(info.role)) this.media.setForwarding(info.participantId, 'screen', false);
    peer.send({
      type: 'welcome',
      you: info,
      meeting: { conferenceId: this.conferenceId, title: meeting.title, roomCode: meeting.roomCode },
      participants: this.roster().filter((p) => p.participantId !== info.participantId),
      chat: this.chat,
      ice: this.media.clientIce?.(info.participantId),
    });
    peer.send(this.settingsFor(info));
    peer.send({ type: 'focus', participantId: this.focusedId() });
    if (mutedOnEntry) peer.send({ type: 'muted', reason: 'muteAll' satisfies MuteReason });
    this.broadcast({ type: previous ? 'participant-updated' : 'participant-joined', participant: info }, info.participantId);
    this.refreshFocus();
  }

  /** A socket closed or the page said leave. `peer` guards against a replaced connection leaving. */
  async leave(participantId: string, peer: Peer): Promise<void> {
    const current = this.participants.get(participantId);
    if (!current || current.peer !== peer) return;
    this.participants.delete(participantId);
    await this.media.removeParticipant(participantId);
    await this.presence.leave(this.conferenceId, participantId);
    this.broadcast({ type: 'participant-left', participantId });
    await this.afterDeparture(current.info);
  }

  async publish(participantId: string, sdp: string, tracks: PublishedTrack[]): Promise<void> {
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
    let mic = state.mic;
    // A forced mute: the server keeps the microphone cut whatever the page says.
    if (mic && !p.info.mic && !this.mayTalk(participantId, p.info.role)) {
      mic = false;
      p.peer.send({ type: 'muted', reason: 'forced' satisfies MuteReason });
    }
    const screen = state.screen && this.canShare(p.info.role);
    if (mic !== p.info.mic) this.media.setForwarding(participantId, 'mic', mic);
    p.info = { ...p.info, camera: state.camera, mic, screen };
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
    this.chatChars += text.length;
    while (this.chat.length > CHAT_HISTORY || (this.chatChars > CHAT_HISTORY_CHARS && this.chat.length > 1)) this.chatChars -= this.chat.shift()!.text.length;
    this.broadcast({ type: 'chat', ...message });
  }

  /** Host control: the target's microphone is cut at the SFU and their page turns it off. */
  mute(byId: string, targetId: string): void {
    if (this.permits(byId, 'moderator', targetId)) this.silence(targetId, 'host', byId);
  }

  /** Cuts a participant's microphone at the SFU and tells their page; false when not in the room. */
  silence(targetId: string, reason: MuteReason, by?: string): boolean {
    const target = this.participants.get(targetId);
    if (!target) return false;
    this.media.setForwarding(targetId, 'mic', false);
    target.info = { ...target.info, mic: false };
    target.peer.send({ type: 'muted', reason, ...(by ? { by } : {}) });
    this.broadcast({ type: 'participant-updated', participant: target.info });
    return true;
  }

  /** MuteAll: every participant who is not a host or co-host is muted now. */
  muteEveryone(): void {
    this.mayUnmute.clear();
    for (const [id, p] of this.participants) {
      if (p.info.role !== 'participant') continue;
      this.silence(id, 'muteAll');
      p.peer.send(this.settingsFor(p.info));
    }
  }

  /** MuteMembers un_mute: the participant may speak again (even under a forced mute); their page asks them to. */
  allowUnmute(targetId: string): void {
    const target = this.participants.get(targetId);
    this.mayUnmute.add(targetId);
    if (!target) return;
    target.peer.send(this.settingsFor(target.info));
    target.peer.send({ type: 'unmute-request' });
  }

  /** New meeting settings: entry, mute and share rules, and the spotlight, applied to everyone inside. */
  applySettings(next: MeetingSettings): void {
    this.settings = { ...next };
    for (const [id, p] of this.participants) {
      const share = this.canShare(p.info.role);
      this.media.setForwarding(id, 'screen', share);
      if (!share && p.info.screen) {
        p.info = { ...p.info, screen: false };
        this.broadcast({ type: 'participant-updated', participant: p.info });
      }
      p.peer.send(this.settingsFor(p.info));
    }
    this.refreshFocus();
  }

  /** Cohosts (and host hand-over): a participant's role changes on every page. */
  setRole(targetId: string, role: Participant['role']): void {
    const target = this.participants.get(targetId);
    if (!target) return;
    target.info = { ...target.info, role };
    const share = this.canShare(role);
    this.media.setForwarding(targetId, 'screen', share);
    if (!share) target.info.screen = false;
    this.broadcast({ type: 'participant-updated', participant: target.info });
    target.peer.send(this.settingsFor(target.info));
  }

  /** KickMembers: the participant's page leaves; `ban` says whether it may come back (records are the caller's). */
  async eject(targetId: string, ban: boolean): Promise<void> {
    const target = this.participants.get(targetId);
    if (!target) return;
    this.participants.delete(targetId);
    if (ban) await this.barGuest(target);
    target.peer.send({ type: 'removed', rejoin: !ban });
    target.peer.close(ban ? CloseCode.removed : CloseCode.kicked, 'removed by the host');
    await this.media.removeParticipant(targetId);
    this.broadcast({ type: 'participant-left', participantId: targetId });
    await this.afterDeparture(target.info);
  }

  /** Host control: the target leaves and their browser may not come back. */
  async remove(byId: string, targetId: string): Promise<void> {
    if (!this.permits(byId, 'moderator', targetId) || byId === targetId) return;
    const target = this.participants.get(targetId);
    await this.presence.remove(this.conferenceId, targetId);
    if (!target) return;
    await this.barGuest(target);
    this.participants.delete(targetId);
    target.peer.send({ type: 'removed' });
    target.peer.close(CloseCode.removed, 'removed by the host');
    await this.media.removeParticipant(targetId);
    this.broadcast({ type: 'participant-left', participantId: targetId });
    this.refreshFocus();
  }

  /** The host's "end for all": recorded through the domain, then every page is closed. */
  async end(byId: string): Promise<void> {
    if (!this.permits(byId, 'host')) return;
    await this.presence.end(this.conferenceId);
    this.closeEnded();
  }

  /** The meeting has ended (already recorded): everyone is told and disconnected. */
  closeEnded(): void {
    this.shutDown({ type: 'ended' }, CloseCode.ended, 'the meeting has ended');
  }

  /** Closes every connection with a final message; the room is gone afterwards. */
  shutDown(message: ServerMessage, code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const { peer } of this.participants.values()) {
      peer.send(message);
      peer.close(code, reason);
    }
    this.participants.clear();
    this.onEmpty();
  }

  /** A removed guest (no signed-in identity to bar) also bars their network for a while. */
  private async barGuest(target: { unionId: string | null; net?: string | undefined }): Promise<void> {
    if (target.unionId === null && target.net) await this.presence.barNetwork(this.conferenceId, target.net);
  }

  /** Sends to everyone in the room except `exceptId`. */
  private broadcast(message: ServerMessage, exceptId?: string): void {
    for (const [id, { peer }] of this.participants) if (id !== exceptId) peer.send(message);
  }

  /** Host controls: `moderator` ones are for hosts and co-hosts, but a co-host cannot act on a host. */
  private permits(byId: string, need: 'host' | 'moderator', targetId?: string): boolean {
    const by = this.participants.get(byId);
    const role = by?.info.role;
    const targetRole = targetId ? this.participants.get(targetId)?.info.role : undefined;
    if (role === 'host' || (need === 'moderator' && role === 'cohost' && targetRole !== 'host')) return true;
    by?.peer.send({ type: 'error', code: 'notHost', message: need === 'host' ? 'Only the host can do that.' : 'Only the host or a co-host can do that.' });
    this.log.warn({ conferenceId: this.conferenceId, participantId: byId }, 'host control refused');
    return false;
  }

  private mayTalk(participantId: string, role: Participant['role']): boolean {
    return role !== 'participant' || this.settings.allowUnmuteSelf || this.mayUnmute.has(participantId);
  }

  private canShare(role: Participant['role']): boolean {
    return role !== 'participant' || !this.settings.forbiddenShareScreen;
  }

  /** The `settings` frame for one participant: the meeting's rules and what they mean for this person. */
  private settingsFor(info: Participant): ServerMessageOf<'settings'> {
    const { focus: _focus, ...rules } = this.settings;
    return { type: 'settings', ...rules, canUnmute: this.mayTalk(info.participantId, info.role), canShare: this.canShare(info.role) };
  }

  /** The participant everyone spotlights: the focused member if they are in the room. */
  private focusedId(): string | null {
    const key = this.settings.focus;
    if (!key) return null;
    for (const [id, p] of this.participants) if (p.unionId === key || id === key) return id;
    return null;
  }

  private refreshFocus(): void {
    const focused = this.focusedId();
    if (focused === this.focusSent) return;
    this.focusSent = focused;
    this.broadcast({ type: 'focus', participantId: focused });
  }

  /** After someone left or was removed: hand over the host role if asked to, and close an empty room. */
  private async afterDeparture(left: Participant): Promise<void> {
    this.refreshFocus();
    if (this.participants.size === 0) return this.onEmpty();
    if (left.role !== 'host' || !this.settings.autoTransferHost) return;
    const rest = [...this.participants.values()];
    if (rest.some((p) => p.info.role === 'host')) return;
    const heir = rest.find((p) => p.info.role === 'cohost') ?? rest[0];
    if (!heir) return;
    await this.presence.setRoles(this.conferenceId, heir.info.participantId, { host: true });
    this.setRole(heir.info.participantId, 'host');
  }
}
