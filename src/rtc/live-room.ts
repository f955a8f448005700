import type { Logger } from 'pino';
import { DEFAULT_SETTINGS, type MeetingSettings } from '../domain/meeting-settings.js';
import type { PresenceService } from '../domain/presence.js';
import { CloseCode, type ChatMessage, type ClientIce, type MuteReason, type Participant, type PublishedTrack, type RemoteTrackInfo, type ServerMessage, type ServerMessageOf, type Source, type StatsReport, type TileView, type InviteDetails as ProtocolInvite, REACTIONS } from '../protocol/room.js';
import { RoomStats, type SampleSink, type StatsRoom } from './stats/room-stats.js';
import type { TrackCounters } from './stats/track-counters.js';
import { RoomSpeakers } from './room-speakers.js';

export { CloseCode, type ChatMessage, type MuteReason, type Participant };

/** What the room needs from the SFU for one meeting (src/rtc/sfu implements it). */
export interface MediaRoom {
  onDownstreamOffer: (participantId: string, sdp: string, tracks: RemoteTrackInfo[]) => void;
  /** Which mid carries whom changed with no offer (the SFU bound pre-negotiated slots). */
  onDownstreamTracks?: (participantId: string, tracks: RemoteTrackInfo[]) => void;
  /** The SFU asks a publisher to turn its camera's simulcast layers on or off. */
  onLayers?: (participantId: string, source: Source, active: boolean[]) => void;
  /** The tiles a participant's page shows (device pixels): its simulcast layers follow them. */
  setView?(participantId: string, tiles: readonly TileView[]): void;
  addParticipant(participantId: string): Promise<void>;
  publish(participantId: string, offerSdp: string, tracks: PublishedTrack[]): Promise<string>;
  downstreamAnswer(participantId: string, answerSdp: string): Promise<void>;
  setForwarding(participantId: string, source: Source, enabled: boolean): void;
  removeParticipant(participantId: string): Promise<void>;
  /** ICE servers (with TURN credentials) and policy for the participant's page; never logged. */
  clientIce?(participantId: string): ClientIce | undefined;
  /** Running totals of every track, as the SFU measures them (src/rtc/stats). */
  trackCounters?(): TrackCounters[];
  /** Each forwarded microphone packet's audio level (-dBov, 0 loudest … 127 silence), for the server's active speaker. */
  onAudioLevel?: (participantId: string, dbov: number) => void;
}

/** How a room measures its media (src/rtc/stats): where samples go and how often. */
export interface RoomStatsOptions {
  sink: SampleSink | undefined;
  intervalMs: number;
}

/** The socket side of one participant, as the room sees it. */
export interface Peer {
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
}

/** What the invite panel shows; the host passcode goes to hosts only. */
export type InviteDetails = Required<ProtocolInvite>;

/** Someone at the door of a locked meeting or one with a waiting room, waiting for a host or co-host. */
export interface Knock {
  knockId: string;
  name: string;
  at: number;
  peer: Peer;
  /** Enters them into the room (the hub runs the entry, past the entry rules). */
  admit(): Promise<void>;
}

/** Most knocks one room keeps waiting at once. */
const MAX_KNOCKS = 50;

interface Entry {
  info: Participant;
  peer: Peer;
  unionId: string | null;
  net?: string | undefined;
  /** The browser (vconf_device) it entered from: a second tab of it takes this participant over. */
  deviceId?: string | undefined;
  /** While reconnecting after its socket dropped: leaves when this fires. */
  grace?: ReturnType<typeof setTimeout> | undefined;
}

const CHAT_HISTORY = 200;
/** Characters of chat text a newcomer is sent at most (the welcome frame stays small). */
const CHAT_HISTORY_CHARS = 32 * 1024;
/**
 * One live meeting on this instance: who is connected, their media state and chat, and the
 * host's controls. Presence is written through to the member records as it changes.
 */
export class LiveRoom implements StatsRoom {
  /** The meeting's per-track statistics: quality levels for the tiles, samples for the API. */
  readonly stats: RoomStats | undefined;
  private readonly participants = new Map<string, Entry>();
  private readonly knocks = new Map<string, Knock>();
  private handCounter = 0;
  private invite: InviteDetails | undefined;
  /** When the meeting started (epoch ms), for the pages' timers. */
  private startedAt: number | undefined;
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
  /** Whether the meeting is being recorded or pushed live now (docs/recording.md): every page shows it. */
  private recordingState = { recording: false, streaming: false };
  /** Who speaks and who the active speaker is, from the levels in the microphones' packets. */
  private readonly speakers = new RoomSpeakers({
    broadcast: (message, exceptId) => this.broadcast(message, exceptId),
    present: (participantId) => this.participants.get(participantId)?.info.reconnecting === false,
  });

  constructor(
    readonly conferenceId: string,
    private readonly media: MediaRoom,
    private readonly presence: PresenceService,
    private readonly log: Logger,
    private readonly onEmpty: () => void,
    statsOptions?: RoomStatsOptions,
  ) {
    this.stats = statsOptions ? new RoomStats(this, statsOptions.sink, statsOptions.intervalMs) : undefined;
    media.onDownstreamOffer = (participantId, sdp, tracks) => this.participants.get(participantId)?.peer.send({ type: 'subscribe-offer', sdp, tracks });
    media.onDownstreamTracks = (participantId, tracks) => this.participants.get(participantId)?.peer.send({ type: 'subscribe-tracks', tracks });
    media.onAudioLevel = this.speakers.level;
    media.onLayers = (participantId, source, active) => this.participants.get(participantId)?.peer.send({ type: 'layers', source, active });
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

  people(): Array<{ participantId: string; unionId: string | null }> {
    return [...this.participants.values()].map((p) => ({ participantId: p.info.participantId, unionId: p.unionId }));
  }

  trackCounters(): TrackCounters[] {
    return this.media.trackCounters?.() ?? [];
  }

  /** Sends a frame to everyone in the room. */
  announce(message: ServerMessage): void {
    this.broadcast(message);
  }

  /** A page's getStats report (`stats` frame). */
  reportStats(participantId: string, report: StatsReport): void {
    if (this.participants.has(participantId)) this.stats?.report(participantId, report);
  }

  roster(): Participant[] {
    return [...this.participants.values()].map((p) => ({ ...p.info }));
  }

  /** `net`: the network the participant's ticket was issued to (a removed guest's network is barred). */
  async join(
    info: Participant,
    peer: Peer,
    meeting: { title: string; roomCode: string; startedAt?: number | undefined; invite?: InviteDetails | undefined },
    unionId: string | null = null,
    net?: string,
    deviceId?: string,
    /** How the participant's media enters the SFU when not by WebRTC (a phone caller's voice). */
    addMedia?: () => Promise<void>,
  ): Promise<void> {
    this.invite = meeting.invite ?? this.invite;
    this.startedAt ??= meeting.startedAt;
    const firstEntry = !this.seen.has(info.participantId);
    this.seen.add(info.participantId);
    // Mute-all mutes newcomers; a forced mute holds across reconnects.
    const mutedOnEntry = info.mic && info.role === 'participant' && ((firstEntry && this.settings.muteAll) || !this.mayTalk(info.participantId, info.role));
    if (mutedOnEntry) info = { ...info, mic: false };
    const previous = this.participants.get(info.participantId);
    if (previous) {
      // The same participant reconnected (a reload, a second tab): the newest connection wins,
      // and a raised hand stays raised.
      clearTimeout(previous.grace);
      info = { ...info, hand: previous.info.hand };
      this.participants.delete(info.participantId);
      previous.peer.close(CloseCode.replaced, 'replaced by a newer connection');
      await this.media.removeParticipant(info.participantId);
    }
    this.participants.set(info.participantId, { info, peer, unionId, net, deviceId });
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
      meeting: { conferenceId: this.conferenceId, title: meeting.title, roomCode: meeting.roomCode, ...(this.startedAt ? { startedAt: this.startedAt } : {}) },
      participants: this.roster().filter((p) => p.participantId !== info.participantId),
      chat: this.chat,
      ice: this.media.clientIce?.(info.participantId),
      // How often the page reports its getStats figures; absent when this room measures nothing.
      ...(this.stats ? { statsIntervalMs: this.stats.intervalMs } : {}),
    });
    peer.send(this.settingsFor(info));
    peer.send({ type: 'focus', participantId: this.focusedId() });
    if (mutedOnEntry) peer.send({ type: 'muted', reason: 'muteAll' satisfies MuteReason });
    // Joiners learn at once that the meeting is being recorded or streamed.
    if (this.recordingState.recording || this.recordingState.streaming) peer.send({ type: 'recording', ...this.recordingState, changed: false });
    this.sendInvite(this.participants.get(info.participantId)!);
    if (info.role !== 'participant') peer.send(this.knockList());
    for (const message of this.speakers.snapshot()) peer.send(message);
    this.broadcast({ type: previous ? 'participant-updated' : 'participant-joined', participant: info }, info.participantId);
    this.refreshFocus();
    this.stats?.joined();
  }

  /** Sends one participant a frame. */
  tell(participantId: string, message: ServerMessage): void {
    this.participants.get(participantId)?.peer.send(message);
  }

  /** The participant a browser is in the room as (live or reconnecting), if any. */
  participantOfDevice(deviceId: string): string | undefined {
    for (const [id, p] of this.participants) if (p.deviceId === deviceId) return id;
    return undefined;
  }

  /** The page stopped answering (no pong, no frame): others see it reconnecting. */
  stale(participantId: string, peer: Peer): void {
    const p = this.participants.get(participantId);
    if (!p || p.peer !== peer || p.info.reconnecting) return;
    this.markReconnecting(p);
  }

  /** A stale page spoke again. */
  alive(participantId: string, peer: Peer): void {
    const p = this.participants.get(participantId);
    if (!p || p.peer !== peer || !p.info.reconnecting || p.grace) return;
    p.info = { ...p.info, reconnecting: false };
    this.broadcast({ type: 'participant-updated', participant: p.info });
  }

  /**
   * The socket dropped without the page saying it leaves (a reload, a network cut): the participant
   * shows as reconnecting and leaves after `graceMs` unless it comes back; `at` is when it was last heard.
   */
  async dropped(participantId: string, peer: Peer, graceMs: number, at: number): Promise<void> {
    const p = this.participants.get(participantId);
    if (!p || p.peer !== peer) return;
    if (!p.info.reconnecting) this.markReconnecting(p);
    clearTimeout(p.grace);
    p.grace = setTimeout(() => {
      this.leave(participantId, peer, at).catch((err: unknown) => this.log.error({ err, conferenceId: this.conferenceId }, 'leave after reconnect grace failed'));
    }, graceMs);
    p.grace.unref?.();
    // Its connections are gone; the SFU stops offering its tracks until it comes back.
    await this.media.removeParticipant(participantId);
  }

  private markReconnecting(p: Entry): void {
    p.info = { ...p.info, reconnecting: true };
    this.broadcast({ type: 'participant-updated', participant: p.info });
    // Nobody is speaking from a page that went quiet.
    if (this.speakers.measured(p.info.participantId)) this.speakers.quiet(p.info.participantId);
    else this.broadcast({ type: 'speaking', participantId: p.info.participantId, speaking: false }, p.info.participantId);
  }

  /** Raise or lower one's own hand. */
  raiseHand(participantId: string, raised: boolean): void {
    const p = this.participants.get(participantId);
    if (!p || (p.info.hand !== null) === raised) return;
    p.info = { ...p.info, hand: raised ? ++this.handCounter : null };
    this.broadcast({ type: 'participant-updated', participant: p.info });
  }

  /** Host control: lower someone's hand (or everyone's, `targetId` null). */
  lowerHand(byId: string, targetId: string | null): void {
    if (!this.permits(byId, 'moderator')) return;
    for (const [id, p] of this.participants) {
      if (p.info.hand === null || (targetId !== null && id !== targetId)) continue;
      p.info = { ...p.info, hand: null };
      this.broadcast({ type: 'participant-updated', participant: p.info });
      if (id !== byId) p.peer.send({ type: 'hand-lowered', by: byId });
    }
  }

  /** A reaction, shown briefly on every page (the sender's too). */
  react(participantId: string, emoji: string): void {
    if (!this.participants.has(participantId) || !(REACTIONS as readonly string[]).includes(emoji)) return;
    this.broadcast({ type: 'reaction', participantId, emoji });
  }

  /** Someone knocks: hosts and co-hosts see them; they wait until let in or turned away. */
  knock(k: Knock): boolean {
    if (this.knocks.size >= MAX_KNOCKS) return false;
    this.knocks.set(k.knockId, k);
    k.peer.send({ type: 'waiting' });
    this.sendKnocks();
    return true;
  }

  /** The knocker went away (closed the page). */
  withdraw(knockId: string): void {
    if (!this.knocks.delete(knockId)) return;
    this.sendKnocks();
    if (this.participants.size === 0 && this.knocks.size === 0) this.onEmpty();
  }

  /** Host control: let a knocker in, or turn them away (they are told). */
  async answerKnock(byId: string, knockId: string, admit: boolean): Promise<void> {
    if (!this.permits(byId, 'moderator')) return;
    const k = this.knocks.get(knockId);
    if (!k) return;
    this.knocks.delete(knockId);
    this.sendKnocks();
    if (admit) return k.admit();
    k.peer.send({ type: 'denied' });
    k.peer.close(CloseCode.denied, 'not let in');
  }

  /** The door opened (unlocked, waiting room off): everyone waiting comes in. */
  private async admitAllKnocks(): Promise<void> {
    const waiting = [...this.knocks.values()];
    this.knocks.clear();
    this.sendKnocks();
    for (const k of waiting) await k.admit().catch((err: unknown) => this.log.warn({ err, conferenceId: this.conferenceId }, 'admitting a knock failed'));
  }

  private knockList(): ServerMessageOf<'knocks'> {
    return { type: 'knocks', knocks: [...this.knocks.values()].map((k) => ({ knockId: k.knockId, name: k.name, at: k.at })) };
  }

  private sendKnocks(): void {
    const list = this.knockList();
    for (const p of this.participants.values()) if (p.info.role !== 'participant' && !p.info.reconnecting) p.peer.send(list);
  }

  /** The invite panel's details; the host passcode only for hosts. */
  private sendInvite(p: Entry): void {
    if (!this.invite) return;
    const { hostPasscode, ...rest } = this.invite;
    p.peer.send({ type: 'invite', ...rest, ...(p.info.role === 'host' ? { hostPasscode } : {}) });
  }

  /** The page said leave, or it is gone for good. `peer` guards against a replaced connection leaving. */
  async leave(participantId: string, peer: Peer, at?: number): Promise<void> {
    const current = this.participants.get(participantId);
    if (!current || current.peer !== peer) return;
    clearTimeout(current.grace);
    this.participants.delete(participantId);
    this.stats?.left(participantId);
    await this.media.removeParticipant(participantId);
    await this.presence.leave(this.conferenceId, participantId, at);
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
    if (!mic) this.speakers.quiet(participantId);
    p.info = { ...p.info, camera: state.camera, mic, screen };
    this.broadcast({ type: 'participant-updated', participant: p.info });
  }

  /** Recording or stream-out started or stopped: every page shows the indicator and a notice. */
  setRecordingState(state: { recording: boolean; streaming: boolean }): void {
    if (state.recording === this.recordingState.recording && state.streaming === this.recordingState.streaming) return;
    this.recordingState = { ...state };
    this.broadcast({ type: 'recording', ...state, changed: true });
  }

  /** Live participants by prominence, for a recording's main picture: the focused one, hosts, co-hosts, the rest. */
  prominence(): string[] {
    const rank = { host: 0, cohost: 1, participant: 2 } as const;
    const focused = this.focusedId();
    return [...this.participants.values()]
      .map((p, i) => ({ id: p.info.participantId, r: p.info.participantId === focused ? -1 : rank[p.info.role], i }))
      .sort((a, b) => a.r - b.r || a.i - b.i)
      .map((p) => p.id);
  }

  /** What the participant's page shows now; the SFU sends each tile the layer that fills it. */
  view(participantId: string, tiles: readonly TileView[]): void {
    if (this.participants.has(participantId)) this.media.setView?.(participantId, tiles);
  }

  /** A page's own voice activity: relayed only for a microphone the server cannot measure (no audio level in its packets). */
  speaking(participantId: string, speaking: boolean): void {
    if (this.participants.has(participantId) && !this.speakers.measured(participantId)) this.broadcast({ type: 'speaking', participantId, speaking }, participantId);
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
    this.speakers.quiet(targetId);
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
    if (!next.locked && !next.waitingRoom && this.knocks.size > 0) void this.admitAllKnocks();
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
    this.sendInvite(target);
    if (role !== 'participant') target.peer.send(this.knockList());
  }

  /** KickMembers: the participant's page leaves; `ban` says whether it may come back (records are the caller's). */
  async eject(targetId: string, ban: boolean): Promise<void> {
    const target = this.participants.get(targetId);
    if (!target) return;
    clearTimeout(target.grace);
    this.participants.delete(targetId);
    this.stats?.left(targetId);
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
    clearTimeout(target.grace);
    this.participants.delete(targetId);
    this.stats?.left(targetId);
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
    this.stats?.stop();
    this.speakers.close();
    for (const { peer, grace } of this.participants.values()) {
      clearTimeout(grace);
      peer.send(message);
      peer.close(code, reason);
    }
    for (const { peer } of this.knocks.values()) {
      peer.send(message);
      peer.close(code, reason);
    }
    this.participants.clear();
    this.knocks.clear();
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
    // Knocks keep the room open: a host may still come and let them in.
    if (this.participants.size === 0) {
      this.stats?.stop();
      this.speakers.close();
      if (this.knocks.size === 0) this.onEmpty();
      return;
    }
    if (left.role !== 'host' || !this.settings.autoTransferHost) return;
    const rest = [...this.participants.values()];
    if (rest.some((p) => p.info.role === 'host')) return;
    const heir = rest.find((p) => p.info.role === 'cohost') ?? rest[0];
    if (!heir) return;
    await this.presence.setRoles(this.conferenceId, heir.info.participantId, { host: true });
    this.setRole(heir.info.participantId, 'host');
  }
}
