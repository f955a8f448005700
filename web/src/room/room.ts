import { LevelMonitor } from '../media/audio-level';
import { isMissing, type LocalMedia } from '../media/local-media';
import { SpeakingDetector } from '../media/speaking';
import type { Page } from '../pages/page';
import type { Chat, ClientIce, MediaState, Participant, RoomRules, ServerMessage } from '../protocol';
import type { RemoteMedia } from '../rtc/downstream';
import { Signaling } from '../rtc/signaling';
import { loadPreferences } from '../session';
import { ChatPanel } from './chat-panel';
import { MediaLink } from './media-link';
import { Notices } from './notices';
import { ParticipantsPanel } from './participants-panel';
import { RemoteAudio } from './remote-audio';
import { RoomView, type Connection } from './room-view';
import { SettingsDialog } from './settings-dialog';
import { markSelfView } from '../media/background/self-view';
import { Spotlight, type SpotlightContent } from './spotlight';
import { Stage, type StageContent } from './stage';
import { Tile } from './tile';
import { Toolbar } from './toolbar';

/** `kicked`: removed, but allowed back; `locked` / `restricted`: refused at the door by the meeting's settings. */
export type ExitReason = 'left' | 'ended' | 'removed' | 'kicked' | 'ticketInvalid' | 'replaced' | 'refused' | 'locked' | 'restricted';

/** Close codes of the server (src/rtc/live-room.ts) that mean "do not come back on your own". */
const FINAL_CLOSE: Record<number, ExitReason> = { 4000: 'replaced', 4001: 'removed', 4002: 'ended', 4004: 'left', 4005: 'kicked' };

export interface RoomOptions {
  ticket: string;
  title: string;
  roomCode: string;
  name: string;
  /** From an earlier `welcome`: resumes the same participant. */
  participantId?: string;
  media: LocalMedia;
  onWelcome(participantId: string): void;
  onMediaState(state: { mic: boolean; camera: boolean }): void;
  onExit(reason: ExitReason, message?: string): void;
}

type PanelKind = 'participants' | 'chat';

const RETRY_MS = [500, 1000, 2000, 3000, 5000];
const JOIN_NOTICE_MAX_ROOM = 12;

/** The meeting room: the signaling session, the roster and chat, and the person's own media. */
export class Room {
  private readonly media: LocalMedia;
  private readonly signaling: Signaling;
  private link: MediaLink | null = null;
  /** ICE servers and policy from the last `welcome` (fresh TURN credentials on every entry). */
  private ice: ClientIce | undefined;
  private connection: Connection = 'connecting';
  private retries = 0;
  private retryTimer = 0;
  private recoveries = 0;
  private lastRecovery = -Infinity;

  private me: Participant;
  private readonly others = new Map<string, Participant>();
  private remoteMedia: RemoteMedia = new Map();
  private readonly tiles = new Map<string, Tile>();
  private localTile: Tile;
  private screenTrack: MediaStreamTrack | null = null;
  private stageId: string | null = null;
  private lastSentMedia = '';
  private panel: PanelKind | null = null;
  private unread = 0;
  private ending = false;
  /** The meeting's rules as the server last stated them; null until the first `settings`. */
  private rules: RoomRules | null = null;
  /** Whom the host put in the spotlight. */
  private focusId: string | null = null;
  private readonly spotlight = new Spotlight();

  private readonly detector = new SpeakingDetector();
  private readonly monitor: LevelMonitor;
  private readonly offMedia: () => void;

  private readonly view: RoomView;
  private readonly stage: Stage;
  private readonly toolbar: Toolbar;
  private readonly notices = new Notices();
  private readonly participantsPanel: ParticipantsPanel;
  private readonly chatPanel: ChatPanel;
  private readonly audio: RemoteAudio;
  private readonly settings: SettingsDialog;

  constructor(private readonly options: RoomOptions) {
    this.media = options.media;
    this.me = {
      participantId: options.participantId ?? 'local',
      name: options.name,
      role: 'participant',
      mic: this.media.micOn,
      camera: this.media.cameraOn,
      screen: false,
    };
    this.signaling = new Signaling({
      onOpen: () => this.hello(),
      onMessage: (message) => this.handle(message),
      onDrop: (code) => {
        const final = FINAL_CLOSE[code];
        if (final) this.finish(final);
        else this.dropped();
      },
    });

    this.stage = new Stage(() => void this.stopScreen());
    this.participantsPanel = new ParticipantsPanel({
      mute: (participantId) => this.signaling.send({ type: 'mute', participantId }),
      remove: (participantId) => this.signaling.send({ type: 'remove', participantId }),
    });
    this.chatPanel = new ChatPanel((text) => this.sendChat(text));
    this.toolbar = new Toolbar({
      toggleMic: () => this.toggleMic(),
      toggleCamera: () => void this.toggleCamera(),
      toggleScreen: () => void (this.screenTrack ? this.stopScreen() : this.startScreen()),
      togglePanel: (panel) => this.setPanel(this.panel === panel ? null : panel),
      openSettings: () => this.settings.open(),
      leave: () => this.leave(),
      end: () => this.end(),
    });
    this.audio = new RemoteAudio(loadPreferences().speakerDeviceId, (blocked) => this.view.setSoundBlocked(blocked));
    this.settings = new SettingsDialog(this.media, (deviceId) => this.audio.setSink(deviceId));
    this.view = new RoomView({
      title: options.title,
      roomCode: options.roomCode,
      stage: this.stage.el,
      spotlight: this.spotlight.el,
      toolbar: this.toolbar.el,
      extras: [this.notices.el, this.audio.el, this.settings.el],
      onClosePanel: () => {
        const opener = this.panel === 'chat' ? 'chat-toggle' : 'participants-toggle';
        this.setPanel(null);
        this.view.el.querySelector<HTMLElement>(`[data-testid="${opener}"]`)?.focus();
      },
      onEnableSound: () => this.audio.resume(),
    });
    this.localTile = new Tile(this.me.participantId, true);
    this.view.tiles.append(this.localTile.el);

    this.monitor = new LevelMonitor((level) => this.onLevel(level));
    this.offMedia = this.media.onChange(() => this.mediaChanged());
    this.mediaChanged();
    this.renderAll();
    this.exposeForTests();
  }

  get el(): HTMLElement {
    return this.view.el;
  }

  start(): void {
    this.setConnection('connecting');
    this.signaling.connect();
  }

  // ---- signaling -------------------------------------------------------------------------------

  private hello(): void {
    const participantId = this.me.participantId !== 'local' ? this.me.participantId : undefined;
    this.signaling.send({
      type: 'hello',
      ticket: this.options.ticket,
      name: this.me.name,
      mic: this.media.micOn,
      camera: this.cameraSending(),
      ...(participantId ? { participantId } : {}),
    });
  }

  private handle(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.ice = message.ice;
        return this.welcome(message.you, message.participants, message.chat);
      case 'publish-answer':
        return this.link?.answer(message.sdp);
      case 'subscribe-offer':
        return this.link?.offer(message.sdp, message.tracks);
      case 'participant-joined':
      case 'participant-updated':
        return this.upsert(message.participant, message.type === 'participant-joined');
      case 'participant-left':
        return this.removeParticipant(message.participantId);
      case 'speaking':
        if (message.participantId !== this.me.participantId) this.tiles.get(message.participantId)?.setSpeaking(message.speaking);
        return;
      case 'chat':
        return this.receiveChat(message);
      case 'muted':
        void this.media.setMic(false);
        this.notices.show(this.mutedText(message.reason, message.by), { tone: 'warn', ms: 8000 });
        return;
      case 'unmute-request':
        if (!this.media.micOn) this.notices.show('The host asks you to unmute your microphone.', { ms: 8000 });
        return;
      case 'settings': {
        const { type: _type, ...rules } = message;
        return this.applyRules(rules);
      }
      case 'focus':
        this.focusId = message.participantId;
        return this.renderStage();
      case 'removed':
        return this.finish(message.rejoin ? 'kicked' : 'removed');
      case 'ended':
        return this.finish('ended');
      case 'error':
        return this.serverError(message.code, message.message);
    }
  }

  private serverError(code: string, message: string): void {
    if (code === 'meetingEnded') return this.finish('ended', message);
    if (code === 'removed') return this.finish('removed', message);
    if (code === 'ticketInvalid') return this.finish('ticketInvalid', message);
    if (code === 'meetingLocked') return this.finish('locked', message);
    if (code === 'internalOnly') return this.finish('restricted', message);
    if (this.connection !== 'live') {
      // `hello` was refused. A server fault is worth another try; anything else is final.
      if (code === 'internal' || code === 'serverClosing') {
        this.signaling.close();
        return this.dropped();
      }
      return this.finish('refused', message);
    }
    this.ending = false;
    this.notices.show(message || 'That did not work.', { tone: 'warn' });
    this.renderToolbar();
  }

  private welcome(you: Participant, participants: Participant[], chat: Chat[]): void {
    const reconnected = this.connection === 'reconnecting';
    this.retries = 0;
    this.ending = false;
    this.setConnection('live');
    if (you.participantId !== this.me.participantId) this.retileLocal(you.participantId);
    this.me = { ...you, name: you.name || this.me.name };
    this.options.onWelcome(you.participantId);
    this.chatPanel.setMe(you.participantId);

    const present = new Set(participants.map((p) => p.participantId));
    for (const id of [...this.others.keys()]) if (!present.has(id)) this.removeParticipant(id, true);
    for (const participant of participants) this.upsert(participant, false);
    this.chatPanel.reset(chat);

    this.connectMedia();
    this.lastSentMedia = '';
    this.sendMedia();
    // Speech that started before the socket was up was not announced.
    if (this.detector.speaking) this.signaling.send({ type: 'speaking', speaking: true });
    this.renderAll();
    if (reconnected) this.notices.show('Reconnected.');
  }

  private dropped(minDelay = 0): void {
    if (this.connection === 'done') return;
    this.disconnectMedia();
    this.setConnection('reconnecting');
    const delay = Math.max(minDelay, RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)] ?? 5000);
    this.retries++;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      if (this.connection === 'reconnecting') this.signaling.connect();
    }, delay);
  }

  private setConnection(connection: Connection): void {
    this.connection = connection;
    this.view.setConnection(connection);
    this.renderToolbar();
  }

  // ---- media -----------------------------------------------------------------------------------

  private connectMedia(): void {
    this.disconnectMedia();
    this.link = new MediaLink(
      (message) => this.signaling.send(message),
      { mic: this.media.audioTrack, camera: this.cameraSending() ? this.media.videoTrack : null, screen: this.screenTrack },
      { onRemoteMedia: (media) => this.applyRemoteMedia(media), onFailure: (what, error) => this.recover(what, error) },
      this.ice,
    );
  }

  /**
   * A negotiation or connection failed: start over as the same participant (new socket, new peer
   * connections), spacing attempts out so a persistent fault does not spin.
   */
  private recover(what: string, error: unknown): void {
    if (this.connection !== 'live') return;
    console.warn(`vconf: ${what} failed; reconnecting`, error);
    const now = performance.now();
    this.recoveries = now - this.lastRecovery > 60_000 ? 1 : this.recoveries + 1;
    this.lastRecovery = now;
    this.signaling.close();
    this.dropped(RETRY_MS[Math.min(this.recoveries, RETRY_MS.length - 1)]);
  }

  private disconnectMedia(): void {
    this.link?.close();
    this.link = null;
    this.applyRemoteMedia(new Map());
  }

  private applyRemoteMedia(media: RemoteMedia): void {
    this.remoteMedia = media;
    for (const [id, tile] of this.tiles) {
      const participant = this.others.get(id);
      const tracks = media.get(id);
      tile.setTrack(tracks?.camera ?? null);
      if (participant) tile.update(participant, participant.camera && !!tracks?.camera);
    }
    this.audio.sync(new Map([...media].map(([id, tracks]) => [id, tracks.mic ?? null])));
    this.renderStage();
  }

  private cameraSending(): boolean {
    return this.media.cameraOn && !!this.media.videoTrack;
  }

  /** LocalMedia changed (toggle, device switch, host mute): follow it on the wire and on screen. */
  private mediaChanged(): void {
    this.link?.setMic(this.media.audioTrack);
    this.link?.setCamera(this.cameraSending() ? this.media.videoTrack : null);
    this.monitor.setTrack(this.media.audioTrack);
    if (!this.media.micOn && this.detector.reset()) this.sendSpeaking(false);
    this.options.onMediaState({ mic: this.media.micOn, camera: this.media.cameraOn });
    this.sendMedia();
    this.renderLocal();
    this.renderStage();
    this.renderToolbar();
    this.renderPanel();
  }

  private toggleMic(): void {
    // The button is disabled under a forced mute; a keyboard shortcut or a stale click still lands here.
    if (!this.media.micOn && this.rules && !this.rules.canUnmute) {
      this.notices.show('The host has muted everyone. You can unmute when the host allows it.', { tone: 'warn' });
      return;
    }
    void this.media.setMic(!this.media.micOn);
  }

  private mutedText(reason: 'host' | 'muteAll' | 'forced' | undefined, by: string | undefined): string {
    const locked = this.rules ? !this.rules.canUnmute : false;
    if (reason === 'forced') return 'The host has not allowed you to unmute.';
    if (reason === 'muteAll') return `The host muted everyone. ${locked ? 'You can’t unmute yourself until the host allows it.' : 'Unmute when you want to speak.'}`;
    return `${this.nameOf(by) ?? 'The host'} muted your microphone. ${locked ? 'You can’t unmute yourself until the host allows it.' : 'Unmute when you want to speak.'}`;
  }

  /** New meeting rules from the host or the API: follow them and say what changed. */
  private applyRules(rules: RoomRules): void {
    const previous = this.rules;
    this.rules = rules;
    if (previous && previous.locked !== rules.locked) {
      this.notices.show(rules.locked ? 'The meeting is locked: nobody new can join.' : 'The meeting is unlocked.');
    }
    if (previous && !previous.canUnmute && rules.canUnmute && !this.media.micOn) this.notices.show('You can unmute your microphone again.');
    if (!rules.canShare && this.screenTrack) {
      this.notices.show('The host has turned off screen sharing.', { tone: 'warn' });
      void this.stopScreen();
    }
    this.view.setLocked(rules.locked);
    this.renderToolbar();
  }

  private async toggleCamera(): Promise<void> {
    const on = !this.media.cameraOn;
    if (!(await this.media.setCamera(on)) && on) {
      this.notices.show(this.media.cameraProblem === 'denied' ? 'Camera access is blocked in your browser’s site settings.' : 'The camera could not be started.', { tone: 'warn' });
    }
  }

  private sendMedia(): void {
    const state: MediaState = { mic: this.media.micOn, camera: this.cameraSending(), screen: !!this.screenTrack };
    this.me = { ...this.me, ...state };
    const key = JSON.stringify(state);
    if (key === this.lastSentMedia || this.connection !== 'live') return;
    this.lastSentMedia = key;
    this.signaling.send({ type: 'media', ...state });
  }

  private onLevel(level: number): void {
    if (this.detector.update(this.media.micOn ? level : 0, performance.now())) this.sendSpeaking(this.detector.speaking);
  }

  private sendSpeaking(speaking: boolean): void {
    this.localTile.setSpeaking(speaking);
    this.signaling.send({ type: 'speaking', speaking });
  }

  private async startScreen(): Promise<void> {
    if (this.rules && !this.rules.canShare) {
      this.notices.show('The host has turned off screen sharing.', { tone: 'warn' });
      return;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    } catch (error) {
      // Cancelling the browser's picker is not an error worth a message.
      if (!(error instanceof DOMException && error.name === 'NotAllowedError')) {
        this.notices.show('Screen sharing could not be started.', { tone: 'warn' });
      }
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    // The browser's own "Stop sharing" button ends the track.
    track.addEventListener('ended', () => {
      if (this.screenTrack === track) void this.stopScreen();
    });
    this.screenTrack = track;
    this.sendMedia();
    this.renderAll();
    try {
      await this.link?.startScreen(track);
    } catch (error) {
      if (this.screenTrack !== track) return;
      console.warn('vconf: screen publish failed', error);
      this.notices.show('Your screen could not be shared. Try again.', { tone: 'warn' });
      await this.stopScreen();
    }
  }

  private async stopScreen(): Promise<void> {
    const track = this.screenTrack;
    if (!track) return;
    this.screenTrack = null;
    track.stop();
    this.sendMedia();
    this.renderAll();
    await this.link?.stopScreen().catch((error: unknown) => console.warn('vconf: screen unpublish failed', error));
  }

  // ---- roster and chat -------------------------------------------------------------------------

  private upsert(participant: Participant, announce: boolean): void {
    if (participant.participantId === this.me.participantId) {
      // The server's view of us (e.g. after a host mute): keep our role in step; media is ours to say.
      if (participant.role !== this.me.role && this.connection === 'live') {
        const roleText = { host: 'You are now the host.', cohost: 'You are now a co-host.', participant: 'You are no longer a co-host.' } as const;
        this.notices.show(roleText[participant.role]);
      }
      this.me = { ...this.me, role: participant.role, name: participant.name || this.me.name };
      this.renderAll();
      return;
    }
    const isNew = !this.others.has(participant.participantId);
    this.others.set(participant.participantId, participant);
    if (isNew) {
      const tile = new Tile(participant.participantId, false);
      this.tiles.set(participant.participantId, tile);
      this.view.tiles.append(tile.el);
      if (announce && this.others.size < JOIN_NOTICE_MAX_ROOM) this.notices.show(`${participant.name || 'A guest'} joined`);
    }
    this.applyRemoteMedia(this.remoteMedia);
    this.renderAll();
  }

  private removeParticipant(participantId: string, quiet = false): void {
    const participant = this.others.get(participantId);
    if (!participant) return;
    this.others.delete(participantId);
    this.tiles.get(participantId)?.remove();
    this.tiles.delete(participantId);
    this.remoteMedia.delete(participantId);
    if (this.stageId === participantId) this.stageId = null;
    if (!quiet && this.others.size < JOIN_NOTICE_MAX_ROOM) this.notices.show(`${participant.name || 'A guest'} left`);
    this.applyRemoteMedia(this.remoteMedia);
    this.renderAll();
  }

  private sendChat(text: string): boolean {
    if (this.connection !== 'live') {
      this.notices.show('Not connected; your message was not sent.', { tone: 'warn' });
      return false;
    }
    this.signaling.send({ type: 'chat', text });
    return true;
  }

  private receiveChat(message: Chat): void {
    this.chatPanel.add({ participantId: message.participantId, name: message.name, text: message.text, at: message.at });
    if (message.participantId === this.me.participantId || this.panel === 'chat') return;
    this.unread++;
    const preview = message.text.length > 80 ? `${message.text.slice(0, 80)}…` : message.text;
    this.notices.show(`${message.name || 'Guest'}: ${preview}`);
    this.renderToolbar();
  }

  private nameOf(participantId: string | undefined): string | undefined {
    return participantId ? this.others.get(participantId)?.name : undefined;
  }

  // ---- leaving ---------------------------------------------------------------------------------

  private leave(): void {
    this.signaling.send({ type: 'leave' });
    this.finish('left');
  }

  private end(): void {
    if (this.ending) return;
    this.ending = true;
    this.signaling.send({ type: 'end' });
    this.renderToolbar();
  }

  private finish(reason: ExitReason, message?: string): void {
    if (this.connection === 'done') return;
    this.setConnection('done');
    this.options.onExit(reason, message);
  }

  dispose(): void {
    this.connection = 'done';
    window.clearTimeout(this.retryTimer);
    this.signaling.close();
    this.disconnectMedia();
    this.screenTrack?.stop();
    this.monitor.close();
    this.offMedia();
    this.view.dispose();
    this.audio.dispose();
    this.settings.dispose();
    for (const tile of this.tiles.values()) tile.remove();
    this.localTile.remove();
    this.media.close();
    delete (window as unknown as { __vconf?: unknown }).__vconf;
  }

  // ---- rendering -------------------------------------------------------------------------------

  private retileLocal(participantId: string): void {
    const old = this.localTile;
    this.localTile = new Tile(participantId, true);
    old.el.replaceWith(this.localTile.el);
    old.remove();
  }

  private renderAll(): void {
    this.renderLocal();
    this.renderStage();
    this.renderToolbar();
    this.renderPanel();
    this.view.setCount(this.others.size + 1);
    this.view.layout();
  }

  private renderLocal(): void {
    this.localTile.setTrack(this.cameraSending() ? this.media.videoTrack : null);
    this.localTile.update({ ...this.me, mic: this.media.micOn }, this.cameraSending());
    markSelfView(this.localTile.video, this.media);
  }

  private renderStage(): void {
    const content = this.stageContent();
    this.stageId = content?.participantId ?? null;
    this.stage.show(content);
    // A shared screen is what people need to see; the spotlight waits until it ends.
    const spot = content ? null : this.spotlightContent();
    this.spotlight.show(spot);
    this.view.setStage(!!content || !!spot);
  }

  private spotlightContent(): SpotlightContent {
    const id = this.focusId;
    if (!id) return null;
    if (id === this.me.participantId) {
      return { participantId: id, name: this.me.name, local: true, track: this.cameraSending() ? this.media.videoTrack : null };
    }
    const participant = this.others.get(id);
    if (!participant) return null;
    const track = participant.camera ? (this.remoteMedia.get(id)?.camera ?? null) : null;
    return { participantId: id, name: participant.name, local: false, track };
  }

  private stageContent(): StageContent {
    const sharing = (id: string) => {
      const participant = this.others.get(id);
      const track = this.remoteMedia.get(id)?.screen;
      return participant?.screen && track ? { kind: 'remote' as const, participantId: id, name: participant.name, track } : null;
    };
    // Keep showing the current presenter while they share; otherwise the first one who does.
    const current = this.stageId ? sharing(this.stageId) : null;
    if (current) return current;
    for (const id of this.others.keys()) {
      const content = sharing(id);
      if (content) return content;
    }
    return this.screenTrack ? { kind: 'local', participantId: this.me.participantId } : null;
  }

  private renderToolbar(): void {
    this.toolbar.render({
      micOn: this.media.micOn,
      micAvailable: !!this.media.audioTrack || !isMissing(this.media.micProblem),
      micLocked: !!this.rules && !this.rules.canUnmute,
      cameraOn: this.cameraSending(),
      cameraAvailable: !!this.media.videoTrack || !isMissing(this.media.cameraProblem),
      sharing: !!this.screenTrack,
      shareBlocked: !!this.rules && !this.rules.canShare,
      panel: this.panel,
      participantCount: this.others.size + 1,
      unread: this.unread,
      isHost: this.me.role === 'host',
      // Host actions need the socket; a click while reconnecting would be lost.
      ending: this.ending || this.connection !== 'live',
    });
  }

  private setPanel(panel: PanelKind | null): void {
    this.panel = panel;
    if (panel === 'chat') this.unread = 0;
    this.renderPanel();
    this.renderToolbar();
    if (panel === 'chat') this.chatPanel.focus();
  }

  private renderPanel(): void {
    if (this.panel === 'participants') {
      this.participantsPanel.render({ ...this.me, mic: this.media.micOn }, [...this.others.values()]);
      this.view.showPanel({ kind: 'participants', title: `People (${this.others.size + 1})`, body: this.participantsPanel.body });
    } else if (this.panel === 'chat') {
      this.view.showPanel({ kind: 'chat', title: 'Chat', body: this.chatPanel.body });
    } else {
      this.view.showPanel(null);
    }
  }

  /** Debugging and end-to-end tests read connection stats from here; nothing visible changes. */
  private exposeForTests(): void {
    (window as unknown as { __vconf?: unknown }).__vconf = {
      upstream: () => this.link?.upstreamPc ?? null,
      downstream: () => this.link?.downstreamPc ?? null,
      participantId: () => this.me.participantId,
      connection: () => this.connection,
    };
  }
}

export function roomPage(options: RoomOptions): Page {
  const room = new Room(options);
  room.start();
  return { el: room.el, title: `${options.title || 'Meeting'} · vconf`, dispose: () => room.dispose() };
}
