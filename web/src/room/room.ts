import type { ChatMessage, MediaState, MuteReason, Participant, QualityLevel, RoomErrorCode, RoomRules, ServerMessage } from '../../../src/protocol/room.js';
import { t } from '../i18n/i18n.js';
import { LevelMonitor } from '../media/audio-level.js';
import { isMissing, type LocalMedia } from '../media/local-media.js';
import { SpeakingDetector } from '../media/speaking.js';
import type { Page } from '../pages/page.js';
import type { RemoteMedia } from '../rtc/downstream.js';
import { StatsReporter } from '../rtc/stats-reporter.js';
import { loadPreferences } from '../session.js';
import { errorText } from '../i18n/errors.js';
import { ChatPanel } from './chat-panel.js';
import { Notices } from './notices.js';
import { ParticipantsPanel } from './participants-panel.js';
import { RemoteAudio } from './remote-audio.js';
import { RoomView } from './room-view.js';
import { RoomSession, type Connection, type ExitReason } from './session.js';
import { SettingsDialog } from './settings-dialog.js';
import { markSelfView } from '../media/background/self-view.js';
import { Spotlight } from './spotlight.js';
import { Stage } from './stage.js';
import { ViewReport, type ShownVideo } from './view-report.js';
import * as state from './state.js';
import { Tile } from './tile.js';
import { Toolbar } from './toolbar.js';
import { RoomFeatures } from './room-features.js';

export type { ExitReason } from './session.js';

export interface RoomOptions {
  ticket: string;
  title: string;
  roomCode: string;
  name: string;
  /** From an earlier `welcome`: resumes the same participant. */
  participantId?: string;
  /** Asked to join a locked meeting: wait at the door for a host. */
  knock?: boolean;
  media: LocalMedia;
  onWelcome(participantId: string): void;
  onMediaState(state: { mic: boolean; camera: boolean }): void;
  onExit(reason: ExitReason, error?: { code: RoomErrorCode; message: string }): void;
}

/**
 * The meeting room: wires the session (socket, reconnection, media link) to the room's state
 * (state.ts decides roster, unread count and stage) and to the view's components.
 */
export class Room {
  private readonly media: LocalMedia;
  private readonly session: RoomSession;

  private me: Participant;
  private roster: state.Roster = new Map();
  private remoteMedia: RemoteMedia = new Map();
  private readonly tiles = new Map<string, Tile>();
  private localTile: Tile;
  private screenTrack: MediaStreamTrack | null = null;
  private stage: state.StageChoice = null;
  private lastSentMedia = '';
  private panel: state.PanelKind | null = null;
  private unread = 0;
  private ending = false;
  /** Set when the connection came back, so the next `welcome` says "Reconnected". */
  private rejoining = false;
  /** The meeting's rules as the server last stated them; null until the first `settings`. */
  private rules: RoomRules | null = null;
  /** Whom the host put in the spotlight. */
  private focusId: string | null = null;
  /** Whether the meeting is being recorded or pushed live (`recording` frames). */
  private recording = { recording: false, streaming: false };

  /** Each person's connection quality as the server last measured it (`quality` frame). */
  private quality: Record<string, QualityLevel> = {};
  private readonly stats: StatsReporter;

  private readonly detector = new SpeakingDetector();
  private readonly monitor: LevelMonitor;
  private readonly offMedia: () => void;

  private readonly view: RoomView;
  private readonly stageView: Stage;
  private readonly viewReport: ViewReport;
  private readonly spotlight = new Spotlight();
  private readonly toolbar: Toolbar;
  private readonly notices = new Notices();
  private readonly participantsPanel: ParticipantsPanel;
  private readonly chatPanel: ChatPanel;
  private readonly audio: RemoteAudio;
  private readonly settings: SettingsDialog;
  private readonly features: RoomFeatures;

  constructor(private readonly options: RoomOptions) {
    this.media = options.media;
    this.me = {
      participantId: options.participantId ?? 'local',
      name: options.name,
      role: 'participant',
      mic: this.media.micOn,
      camera: this.media.cameraOn,
      screen: false,
      reconnecting: false,
      hand: null,
    };
    this.session = new RoomSession({
      hello: () => {
        const participantId = this.me.participantId !== 'local' ? this.me.participantId : undefined;
        return { type: 'hello', ticket: options.ticket, name: this.me.name, mic: this.media.micOn, camera: this.cameraSending(), ...(participantId ? { participantId } : {}), ...(options.knock ? { knock: true } : {}) };
      },
      tracks: () => ({ mic: this.media.audioTrack, camera: this.cameraSending() ? this.media.videoTrack : null, screen: this.screenTrack }),
      onMessage: (message) => this.handle(message),
      onConnection: (connection, previous) => this.connectionChanged(connection, previous),
      onRemoteMedia: (media) => this.applyRemoteMedia(media),
      onError: (code, message) => this.serverError(code, message),
      onExit: (reason, error) => options.onExit(reason, error),
    });
    // Building the room below took ~60 ms of a join; the socket and the first offer need none of it
    // (their answers arrive as events, after this constructor).
    this.session.open();

    this.stageView = new Stage(() => void this.stopScreen());
    this.viewReport = new ViewReport((message) => this.session.live && this.session.send(message), () => this.shownVideos());
    this.features = new RoomFeatures({
      send: (message) => this.session.send(message),
      notify: (text, tone) => this.notices.show(text, tone ? { tone } : {}),
      media: this.media,
      tileEl: (id) => this.tiles.get(id)?.el,
      localTileEl: () => this.localTile.el,
      toggleMic: () => this.toggleMic(),
      toggleCamera: () => void this.toggleCamera(),
      togglePanel: (panel) => this.setPanel(this.panel === panel ? null : panel),
      leave: () => this.session.leave(),
      relayout: () => this.renderStage(),
    });
    this.participantsPanel = new ParticipantsPanel({
      mute: (participantId) => this.session.send({ type: 'mute', participantId }),
      remove: (participantId) => {
        const who = this.roster.get(participantId);
        // Removal is for good: the first click only asks.
        if (who) void this.features.confirmRemove(who).then((ok) => ok && this.session.send({ type: 'remove', participantId }));
      },
      extra: (p) => [...this.features.spotlightAction(p, this.focusId), ...this.features.rowActions(p)],
    });
    this.chatPanel = new ChatPanel((text) => this.sendChat(text));
    this.toolbar = new Toolbar({
      toggleMic: () => this.toggleMic(),
      toggleCamera: () => void this.toggleCamera(),
      toggleScreen: () => void (this.screenTrack ? this.stopScreen() : this.startScreen()),
      togglePanel: (panel) => this.setPanel(this.panel === panel ? null : panel),
      openSettings: () => this.settings.open(),
      leave: () => this.session.leave(),
      end: () => this.end(),
    });
    this.audio = new RemoteAudio(loadPreferences().speakerDeviceId, (blocked) => this.view.setSoundBlocked(blocked));
    this.settings = new SettingsDialog(this.media, (deviceId) => this.audio.setSink(deviceId));
    this.view = new RoomView({
      title: options.title,
      roomCode: options.roomCode,
      stage: this.stageView.el,
      spotlight: this.spotlight.el,
      toolbar: this.toolbar.el,
      notices: this.notices.el,
      extras: [this.audio.el, this.settings.el, ...this.features.parts],
      onClosePanel: () => {
        const opener = this.panel === 'chat' ? 'chat-toggle' : 'participants-toggle';
        this.setPanel(null);
        this.view.el.querySelector<HTMLElement>(`[data-testid="${opener}"]`)?.focus();
      },
      onEnableSound: () => this.audio.resume(),
    });
    this.localTile = new Tile(this.me.participantId, true);
    this.view.tiles.append(this.localTile.el);
    this.stats = new StatsReporter(
      () => [this.session.upstreamPc, this.session.downstreamPc],
      () => ({
        screenSent: this.screenTrack?.id ?? null,
        screensReceived: new Set([...this.remoteMedia.values()].flatMap((tracks) => (tracks.screen ? [tracks.screen.id] : []))),
      }),
      (message) => this.session.send(message),
    );
    this.toolbar.el.querySelector('.toolbar-exit')?.before(this.features.tools);
    this.view.el.querySelector('.room-header-side')?.prepend(this.features.timer.el);

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
    this.session.start();
  }

  // ---- messages --------------------------------------------------------------------------------

  private handle(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        if (message.statsIntervalMs) this.stats.start(message.statsIntervalMs);
        // A `recording` frame follows when something is being recorded; none means nothing is.
        this.recording = { recording: false, streaming: false };
        this.view.setRecording(this.recording);
        this.features.welcome(message.meeting);
        return this.welcome(message.you, message.participants, message.chat);
      case 'quality':
        this.quality = message.levels;
        return this.renderQuality();
      case 'recording':
        return this.recordingChanged(message);
      case 'participant-joined':
      case 'participant-updated':
        return this.upsert(message.participant, message.type === 'participant-joined');
      case 'participant-left':
        return this.removeParticipant(message.participantId);
      case 'speaking':
        if (message.participantId !== this.me.participantId) this.tiles.get(message.participantId)?.setSpeaking(message.speaking);
        return;
      case 'active-speaker':
        return this.features.activeSpeaker(message.participantId);
      case 'chat':
        return this.receiveChat(message);
      case 'muted':
        void this.media.setMic(false);
        this.notices.show(this.mutedText(message.reason, message.by), { tone: 'warn', ms: 8000 });
        return;
      case 'unmute-request':
        if (!this.media.micOn) this.notices.show(t('room.notice.unmuteRequest'), { ms: 8000 });
        return;
      case 'settings': {
        const { type: _type, ...rules } = message;
        return this.applyRules(rules);
      }
      case 'focus':
        this.focusId = message.participantId;
        this.renderPanel();
        return this.renderStage();
      default:
        // Media-link messages, `removed`, `ended` and `error` are the session's; the rest the features'.
        return this.features.handle(message);
    }
  }

  /** Recording or stream-out started or stopped: the header says so, and a notice when it changes. */
  private recordingChanged(next: { recording: boolean; streaming: boolean; changed: boolean }): void {
    const before = this.recording;
    this.recording = { recording: next.recording, streaming: next.streaming };
    this.view.setRecording(this.recording);
    if (next.recording !== before.recording) this.notices.show(next.recording ? t('room.notice.recordingStarted') : t('room.notice.recordingStopped'), { ms: 8000 });
    if (next.streaming !== before.streaming) this.notices.show(next.streaming ? t('room.notice.streamingStarted') : t('room.notice.streamingStopped'), { ms: 8000 });
  }

  /** A request failed while in the room: say so in the page's words when the code is known. */
  private serverError(code: RoomErrorCode, message: string): void {
    this.ending = false;
    this.notices.show(errorText(code, message) ?? t('room.notice.failed'), { tone: 'warn' });
    this.renderToolbar();
  }

  private connectionChanged(connection: Connection, previous: Connection): void {
    if (connection === 'live' && previous === 'reconnecting') this.rejoining = true;
    this.view.setConnection(connection);
    this.renderToolbar();
  }

  private welcome(you: Participant, participants: Participant[], chat: ChatMessage[]): void {
    const reconnected = this.rejoining;
    this.rejoining = false;
    this.ending = false;
    if (you.participantId !== this.me.participantId) this.retileLocal(you.participantId);
    this.me = { ...you, name: you.name || this.me.name };
    this.options.onWelcome(you.participantId);
    this.chatPanel.setMe(you.participantId);
    window.setTimeout(() => this.viewReport.reset(), 0);

    const { roster, gone } = state.rosterFromWelcome(this.roster, participants, you.participantId);
    for (const id of gone) this.dropTile(id);
    this.roster = roster;
    for (const participant of roster.values()) this.ensureTile(participant.participantId);
    this.chatPanel.reset(chat);
    this.applyRemoteMedia(this.remoteMedia);

    this.lastSentMedia = '';
    this.sendMedia();
    this.renderAll();
    if (reconnected) this.notices.show(t('room.notice.reconnected'));
  }

  // ---- media -----------------------------------------------------------------------------------

  private applyRemoteMedia(media: RemoteMedia): void {
    this.remoteMedia = media;
    for (const [id, tile] of this.tiles) {
      const participant = this.roster.get(id);
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
    this.session.setMic(this.media.audioTrack);
    this.session.setCamera(this.cameraSending() ? this.media.videoTrack : null);
    this.monitor.setTrack(this.media.audioTrack);
    if (!this.media.micOn && this.detector.reset()) this.localTile.setSpeaking(false);
    this.options.onMediaState({ mic: this.media.micOn, camera: this.media.cameraOn });
    this.features.mediaChanged();
    this.sendMedia();
    this.renderLocal();
    this.renderStage();
    this.renderToolbar();
    this.renderPanel();
    this.renderQuality();
  }

  private toggleMic(): void {
    // The button is disabled under a forced mute; a keyboard shortcut or a stale click still lands here.
    if (!this.media.micOn && this.rules && !this.rules.canUnmute) {
      this.notices.show(t('room.notice.cantUnmuteYet'), { tone: 'warn' });
      return;
    }
    void this.media.setMic(!this.media.micOn);
  }

  private mutedText(reason: MuteReason | undefined, by: string | undefined): string {
    const locked = this.rules ? !this.rules.canUnmute : false;
    if (reason === 'forced') return t('room.notice.forcedMute');
    if (reason === 'muteAll') return locked ? t('room.notice.mutedAllLocked') : t('room.notice.mutedAll');
    const name = (by ? this.roster.get(by)?.name : undefined) || t('room.theHost');
    return locked ? t('room.notice.mutedByLocked', { name }) : t('room.notice.mutedBy', { name });
  }

  /** New meeting rules from the host or the API: follow them and say what changed. */
  private applyRules(rules: RoomRules): void {
    const previous = this.rules;
    this.rules = rules;
    this.features.setRules(rules, previous);
    if (previous && previous.locked !== rules.locked) this.notices.show(rules.locked ? t('room.notice.locked') : t('room.notice.unlocked'));
    if (previous && !previous.canUnmute && rules.canUnmute && !this.media.micOn) this.notices.show(t('room.notice.mayUnmute'));
    if (!rules.canShare && this.screenTrack) {
      this.notices.show(t('room.notice.shareOff'), { tone: 'warn' });
      void this.stopScreen();
    }
    this.view.setLocked(rules.locked);
    this.renderToolbar();
  }

  private async toggleCamera(): Promise<void> {
    const on = !this.media.cameraOn;
    if (!(await this.media.setCamera(on)) && on) {
      this.notices.show(this.media.cameraProblem === 'denied' ? t('room.notice.cameraBlocked') : t('room.notice.cameraFailed'), { tone: 'warn' });
    }
  }

  private sendMedia(): void {
    const media: MediaState = { mic: this.media.micOn, camera: this.cameraSending(), screen: !!this.screenTrack };
    this.me = { ...this.me, ...media };
    const key = JSON.stringify(media);
    if (key === this.lastSentMedia || !this.session.live) return;
    this.lastSentMedia = key;
    this.session.send({ type: 'media', ...media });
  }

  private onLevel(level: number): void {
    // Only one's own ring, at once: others learn who speaks from the server, which measures the
    // level in the microphone's packets (docs/room-protocol.md, "Voice activity").
    if (this.detector.update(this.media.micOn ? level : 0, performance.now())) this.localTile.setSpeaking(this.detector.speaking);
  }

  private async startScreen(): Promise<void> {
    if (this.rules && !this.rules.canShare) {
      this.notices.show(t('room.notice.shareOff'), { tone: 'warn' });
      return;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    } catch (error) {
      // Cancelling the browser's picker is not an error worth a message.
      if (!(error instanceof DOMException && error.name === 'NotAllowedError')) this.notices.show(t('room.notice.shareFailed'), { tone: 'warn' });
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
      await this.session.startScreen(track);
    } catch (error) {
      if (this.screenTrack !== track) return;
      console.warn('vconf: screen publish failed', error);
      this.notices.show(t('room.notice.sharePublishFailed'), { tone: 'warn' });
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
    await this.session.stopScreen().catch((error: unknown) => console.warn('vconf: screen unpublish failed', error));
  }

  // ---- roster and chat -------------------------------------------------------------------------

  private upsert(participant: Participant, announce: boolean): void {
    if (participant.participantId === this.me.participantId) {
      // The server's view of us (e.g. after a host mute): keep our role in step; media is ours to say.
      if (participant.role !== this.me.role && this.session.live) {
        const roleText = { host: t('room.notice.nowHost'), cohost: t('room.notice.nowCohost'), participant: t('room.notice.noLongerCohost') };
        this.notices.show(roleText[participant.role]);
      }
      this.me = { ...this.me, role: participant.role, name: participant.name || this.me.name, hand: participant.hand };
      this.renderAll();
      return;
    }
    const next = state.upsert(this.roster, participant);
    this.roster = next.roster;
    if (next.isNew) {
      this.ensureTile(participant.participantId);
      if (announce && state.announces(this.roster.size)) this.notices.show(t('room.notice.joined', { name: participant.name || t('room.guest') }));
    }
    this.applyRemoteMedia(this.remoteMedia);
    this.renderAll();
  }

  private removeParticipant(participantId: string): void {
    const participant = this.roster.get(participantId);
    if (!participant) return;
    this.roster = state.without(this.roster, participantId);
    this.dropTile(participantId);
    if (state.announces(this.roster.size)) this.notices.show(t('room.notice.left', { name: participant.name || t('room.guest') }));
    this.applyRemoteMedia(this.remoteMedia);
    this.renderAll();
  }

  private ensureTile(participantId: string): void {
    if (this.tiles.has(participantId)) return;
    const tile = new Tile(participantId, false);
    tile.setQuality(this.quality[participantId] ?? 0);
    this.tiles.set(participantId, tile);
    this.view.tiles.append(tile.el);
  }

  private dropTile(participantId: string): void {
    this.tiles.get(participantId)?.remove();
    this.tiles.delete(participantId);
    this.remoteMedia.delete(participantId);
  }

  private sendChat(text: string): boolean {
    if (!this.session.live) {
      this.notices.show(t('room.notice.notSent'), { tone: 'warn' });
      return false;
    }
    this.session.send({ type: 'chat', text });
    return true;
  }

  private receiveChat(message: ChatMessage): void {
    this.chatPanel.add({ participantId: message.participantId, name: message.name, text: message.text, at: message.at });
    this.unread = state.unreadAfterChat(this.unread, { mine: message.participantId === this.me.participantId, chatOpen: this.panel === 'chat' });
    this.renderToolbar();
  }

  // ---- leaving ---------------------------------------------------------------------------------

  /** Ending is for everyone and for good: the first click only asks. */
  private end(): void {
    if (this.ending) return;
    void this.features.confirmEnd().then((ok) => {
      if (!ok || this.ending) return;
      this.ending = true;
      this.session.send({ type: 'end' });
      this.renderToolbar();
    });
  }

  /** Remote videos on the page now: camera tiles, and the stage when it shows someone's screen. */
  private shownVideos(): ShownVideo[] {
    const shown: ShownVideo[] = [];
    for (const [participantId, tile] of this.tiles) shown.push({ participantId, source: 'camera', el: tile.video });
    if (this.stage?.kind === 'remote') shown.push({ participantId: this.stage.participantId, source: 'screen', el: this.stageView.video });
    const spotlit = this.spotlight.remoteShown;
    if (spotlit) shown.push({ participantId: spotlit, source: 'camera', el: this.spotlight.video });
    return shown;
  }

  dispose(): void {
    this.viewReport.dispose();
    this.stats.stop();
    this.features.dispose();
    this.session.dispose();
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

  /** Bars on every tile, and the hint when this page's own connection is poor. */
  private renderQuality(): void {
    for (const [id, tile] of this.tiles) tile.setQuality(this.quality[id] ?? 0);
    const mine = this.quality[this.me.participantId] ?? 0;
    this.localTile.setQuality(mine);
    this.view.setWeakConnection(mine === 1);
  }

  private renderAll(): void {
    this.renderLocal();
    this.renderStage();
    this.renderToolbar();
    this.renderPanel();
    this.renderQuality();
    this.view.setCount(this.roster.size + 1);
    this.features.update({ ...this.me, mic: this.media.micOn }, [...this.roster.values()]);
    this.view.layout();
  }

  private renderLocal(): void {
    this.localTile.setTrack(this.cameraSending() ? this.media.videoTrack : null);
    this.localTile.update({ ...this.me, mic: this.media.micOn }, this.cameraSending());
    markSelfView(this.localTile.video, this.media);
  }

  private renderStage(): void {
    const sharers = new Set([...this.roster.values()].filter((p) => p.screen && this.remoteMedia.get(p.participantId)?.screen).map((p) => p.participantId));
    this.stage = state.chooseStage({
      current: this.stage?.participantId ?? null,
      order: [...this.roster.keys()],
      sharers,
      me: { participantId: this.me.participantId, sharing: !!this.screenTrack },
    });
    const stage = this.stage;
    const remoteTrack = stage?.kind === 'remote' ? this.remoteMedia.get(stage.participantId)?.screen : undefined;
    if (stage?.kind === 'remote' && remoteTrack) {
      this.stageView.show({ kind: 'remote', participantId: stage.participantId, name: this.roster.get(stage.participantId)?.name ?? '', track: remoteTrack });
    } else {
      this.stageView.show(stage?.kind === 'local' ? { kind: 'local', participantId: stage.participantId } : null);
    }
    // A shared screen is what people need to see; the spotlight waits until it ends.
    const spot = state.chooseSpotlight({ stage, focusId: this.features.spotlightId(this.focusId), myId: this.me.participantId, roster: this.roster });
    if (!spot) this.spotlight.show(null);
    else if (spot.local) this.spotlight.show({ participantId: spot.participantId, name: this.me.name, local: true, track: this.cameraSending() ? this.media.videoTrack : null });
    else {
      const participant = this.roster.get(spot.participantId)!;
      const track = participant.camera ? (this.remoteMedia.get(spot.participantId)?.camera ?? null) : null;
      this.spotlight.show({ participantId: spot.participantId, name: participant.name, local: false, track });
    }
    this.view.setStage(!!stage || !!spot);
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
      participantCount: this.roster.size + 1,
      unread: this.unread,
      isHost: this.me.role === 'host',
      // Host actions need the socket; a click while reconnecting would be lost.
      ending: this.ending || !this.session.live,
    });
  }

  private setPanel(panel: state.PanelKind | null): void {
    this.panel = panel;
    this.unread = state.unreadAfterPanel(this.unread, panel);
    this.renderPanel();
    this.renderToolbar();
    if (panel === 'chat') this.chatPanel.focus();
  }

  private renderPanel(): void {
    if (this.panel === 'participants') {
      this.participantsPanel.render({ ...this.me, mic: this.media.micOn }, [...this.roster.values()]);
      this.view.showPanel({ kind: 'participants', title: t('room.panel.people', { count: this.roster.size + 1 }), body: this.participantsPanel.body });
    } else if (this.panel === 'chat') {
      this.view.showPanel({ kind: 'chat', title: t('room.panel.chat'), body: this.chatPanel.body });
    } else {
      this.view.showPanel(null);
    }
  }

  /** Debugging and end-to-end tests read connection stats from here; nothing visible changes. */
  private exposeForTests(): void {
    (window as unknown as { __vconf?: unknown }).__vconf = {
      upstream: () => this.session.upstreamPc,
      downstream: () => this.session.downstreamPc,
      participantId: () => this.me.participantId,
      connection: () => this.session.connection,
    };
  }
}

export function roomPage(options: RoomOptions): Page {
  const room = new Room(options);
  room.start();
  return { el: room.el, title: t('room.documentTitle', { title: options.title || t('room.untitled') }), dispose: () => room.dispose() };
}
