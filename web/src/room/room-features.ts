import type { ClientMessage, InviteDetails, KnockInfo, MeetingInfo, Participant, RoomRules, ServerMessage } from '../../../src/protocol/room.js';
import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { t } from '../i18n/i18n.js';
import { LevelMonitor } from '../media/audio-level.js';
import type { LocalMedia } from '../media/local-media.js';
import { SpeakingDetector } from '../media/speaking.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { HostToolsDialog } from './host-tools-dialog.js';
import { InviteDialog, MeetingTimer } from './invite-dialog.js';
import { KnocksCard, waitingScreen } from './knocks-card.js';
import { floatReaction, paintTileMarks, ReactionPicker } from './reactions.js';
import { listenForShortcuts, ShortcutsDialog, type ShortcutAction } from './shortcuts.js';
import './room-dialogs.css';

export type Layout = 'gallery' | 'speaker';

export interface FeatureHooks {
  send(message: ClientMessage): void;
  notify(text: string, tone?: 'info' | 'warn'): void;
  media: LocalMedia;
  /** The tile element of a participant (the local one included). */
  tileEl(participantId: string): HTMLElement | undefined;
  localTileEl(): HTMLElement;
  toggleMic(): void;
  toggleCamera(): void;
  togglePanel(panel: 'participants' | 'chat'): void;
  leave(): void;
  /** The stage or layout choice changed: render the stage again. */
  relayout(): void;
}

/**
 * The room's features beyond media (issue 10 §2–§6): host tools, the door (knocks, waiting),
 * invite panel and timer, raised hands, reactions, pin, speaker view, hidden self view, the
 * "you're muted" hint and keyboard shortcuts. The Room hands it the messages it does not handle
 * itself and asks it whom to show large.
 */
export class RoomFeatures {
  /** Buttons for the toolbar, in a group of their own. */
  readonly tools: HTMLElement;
  /** Dialogs, cards and overlays for the room's frame. */
  readonly parts: HTMLElement[];
  readonly timer = new MeetingTimer();

  private me: Participant | null = null;
  private roster: Participant[] = [];
  private knocks: KnockInfo[] = [];
  private rules: RoomRules | null = null;
  private pinned: string | null = null;
  private layout: Layout = 'gallery';
  private lastSpeaker: string | null = null;
  private selfHidden = false;

  private readonly confirm = new ConfirmDialog();
  private readonly hostTools: HostToolsDialog;
  private readonly invite: InviteDialog;
  private readonly knocksCard: KnocksCard;
  private readonly waiting: HTMLElement;
  private readonly reactions: ReactionPicker;
  private readonly shortcuts = new ShortcutsDialog();
  private readonly more: HTMLDialogElement;
  private readonly mutedHint = h('div', { class: 'muted-hint', role: 'status', 'data-testid': 'muted-hint', hidden: true });
  private mutedHintTimer = 0;

  private readonly handButton = toolButton('raise-hand-toggle');
  private readonly reactButton = toolButton('reactions-button');
  private readonly inviteButton = toolButton('invite-button');
  private readonly hostButton = toolButton('host-tools-button');
  private readonly moreButton = toolButton('more-button');
  private readonly layoutButton = menuButton('layout-toggle');
  private readonly selfButton = menuButton('self-view-toggle');
  private readonly helpButton = menuButton('shortcuts-button');

  /** Speech while muted: a clone of the microphone track that stays enabled, for the hint only. */
  private readonly hintMonitor: LevelMonitor;
  private readonly hintDetector = new SpeakingDetector();
  private hintTrack: MediaStreamTrack | null = null;
  private readonly offShortcuts: () => void;

  constructor(private readonly hooks: FeatureHooks) {
    this.hostTools = new HostToolsDialog(hooks.send);
    this.invite = new InviteDialog((text) => hooks.notify(text));
    this.knocksCard = new KnocksCard((knockId, admit) => hooks.send({ type: admit ? 'admit' : 'deny', knockId }));
    this.waiting = waitingScreen(() => hooks.leave());
    this.reactions = new ReactionPicker((emoji) => hooks.send({ type: 'reaction', emoji }));

    this.handButton.addEventListener('click', () => this.run('hand'));
    this.reactButton.addEventListener('click', () => this.reactions.open());
    this.inviteButton.addEventListener('click', () => this.invite.open());
    this.hostButton.addEventListener('click', () => this.hostTools.open());
    this.moreButton.addEventListener('click', () => this.more.showModal());
    this.layoutButton.addEventListener('click', () => (this.more.close(), this.run('layout')));
    this.selfButton.addEventListener('click', () => {
      this.more.close();
      this.selfHidden = !this.selfHidden;
      this.render();
    });
    this.helpButton.addEventListener('click', () => (this.more.close(), this.shortcuts.open()));
    this.more = h('dialog', { class: 'dialog more-menu', 'aria-label': t('more.label'), 'data-testid': 'more-menu' }, h('div', { class: 'dialog-body tool-rows' }, this.layoutButton, this.selfButton, this.helpButton));
    this.more.addEventListener('click', (event) => {
      if (event.target === this.more) this.more.close();
    });

    this.tools = h('div', { class: 'toolbar-group room-extra-tools' }, this.handButton, this.reactButton, this.inviteButton, this.hostButton, this.moreButton);
    this.parts = [this.confirm.el, this.hostTools.el, this.invite.el, this.knocksCard.el, this.waiting, this.reactions.el, this.shortcuts.el, this.more, this.mutedHint];

    this.hintMonitor = new LevelMonitor((level) => this.onMutedLevel(level));
    this.offShortcuts = listenForShortcuts((action) => this.run(action));
    this.render();
  }

  // ---- from the Room --------------------------------------------------------------------------

  /** Messages the Room leaves to the features. */
  handle(message: ServerMessage): void {
    switch (message.type) {
      case 'invite': {
        const { type: _type, ...details } = message;
        this.invite.setDetails(details as InviteDetails);
        return;
      }
      case 'knocks': {
        const fresh = message.knocks.filter((k) => !this.knocks.some((old) => old.knockId === k.knockId));
        this.knocks = message.knocks;
        for (const k of fresh) this.hooks.notify(t('notice.knock', { name: k.name }));
        return this.render();
      }
      case 'waiting':
        this.waiting.hidden = false;
        return;
      case 'hand-lowered':
        return this.hooks.notify(t('notice.handLowered'));
      case 'reaction': {
        const el = this.me && message.participantId === this.me.participantId ? this.hooks.localTileEl() : this.hooks.tileEl(message.participantId);
        return floatReaction(el, message.participantId, message.emoji);
      }
      default:
        return;
    }
  }

  welcome(meeting: MeetingInfo): void {
    this.waiting.hidden = true;
    if (meeting.startedAt) this.timer.start(meeting.startedAt);
  }

  setRules(rules: RoomRules, previous: RoomRules | null): void {
    this.rules = rules;
    if (previous && previous.waitingRoom !== rules.waitingRoom) this.hooks.notify(rules.waitingRoom ? t('notice.waitingRoomOn') : t('notice.waitingRoomOff'));
    this.hostTools.setRules(rules);
  }

  /** The roster changed (or our own role): repaint hands, marks, the host's tools. */
  update(me: Participant, others: Participant[]): void {
    this.me = me;
    this.roster = others;
    if (this.pinned && this.pinned !== me.participantId && !others.some((p) => p.participantId === this.pinned)) this.pinned = null;
    this.render();
  }

  /** The server's active speaker, for speaker view; one is never shown large on one's own screen, so the last other speaker stays. */
  activeSpeaker(participantId: string | null): void {
    if (participantId === null || participantId === this.me?.participantId || participantId === this.lastSpeaker) return;
    this.lastSpeaker = participantId;
    if (this.layout === 'speaker' && !this.pinned) this.hooks.relayout();
  }

  /** Whom to show large: a local pin first, then the host's spotlight, then (speaker view) the active speaker. */
  spotlightId(focusId: string | null): string | null {
    if (this.pinned) return this.pinned;
    if (focusId) return focusId;
    if (this.layout !== 'speaker') return null;
    const speaker = this.lastSpeaker && this.roster.some((p) => p.participantId === this.lastSpeaker) ? this.lastSpeaker : this.roster[0]?.participantId;
    return speaker ?? null;
  }

  /** The host's mic, camera or role may have changed: keep the muted hint's own listener in step. */
  mediaChanged(): void {
    const track = this.hooks.media.audioTrack;
    const wanted = track && !this.hooks.media.micOn ? track : null;
    if ((wanted === null) === (this.hintTrack === null) && (!wanted || this.hintTrack?.label === wanted.label)) {
      if (!wanted) this.hideMutedHint();
      return;
    }
    this.hintTrack?.stop();
    this.hintTrack = wanted ? wanted.clone() : null;
    if (this.hintTrack) this.hintTrack.enabled = true;
    this.hintDetector.reset();
    this.hintMonitor.setTrack(this.hintTrack);
    if (!this.hintTrack) this.hideMutedHint();
  }

  async confirmRemove(participant: Participant): Promise<boolean> {
    const name = participant.name || t('room.guest');
    return this.confirm.ask({ title: t('confirm.removeTitle', { name }), body: t('confirm.removeBody', { name }), action: t('confirm.removeAction') });
  }

  async confirmEnd(): Promise<boolean> {
    return this.confirm.ask({ title: t('confirm.endTitle'), body: t('confirm.endBody'), action: t('confirm.endAction') });
  }

  /** Host controls for one row of the people panel. */
  rowActions(p: Participant): HTMLElement[] {
    const me = this.me;
    if (!me || me.role === 'participant' || (me.role === 'cohost' && p.role === 'host')) return [];
    const name = p.name || t('room.guest');
    const actions: HTMLElement[] = [];
    if (p.hand !== null) {
      actions.push(smallButton('lower-hand', t('hostTools.lowerHand'), t('hostTools.lowerHandLabel', { name }), () => this.hooks.send({ type: 'lower-hand', participantId: p.participantId })));
    }
    if (me.role === 'host' && p.role !== 'host') {
      const co = p.role === 'cohost';
      actions.push(
        smallButton('cohost-toggle', co ? t('hostTools.removeCohost') : t('hostTools.makeCohost'), co ? t('hostTools.removeCohostLabel', { name }) : t('hostTools.makeCohostLabel', { name }), () =>
          this.hooks.send({ type: 'cohost', participantId: p.participantId, on: !co }),
        ),
      );
    }
    return actions;
  }

  /** The spotlight button of a row (everyone's view, so hosts and co-hosts only). */
  spotlightAction(p: Participant, focusId: string | null): HTMLElement[] {
    const me = this.me;
    if (!me || me.role === 'participant') return [];
    const name = p.name || t('room.guest');
    const on = focusId === p.participantId;
    const button = smallButton('spotlight-toggle', on ? t('hostTools.unspotlight') : t('hostTools.spotlight'), on ? t('hostTools.unspotlightLabel', { name }) : t('hostTools.spotlightLabel', { name }), () =>
      this.hooks.send({ type: 'spotlight', participantId: on ? null : p.participantId }),
    );
    button.dataset.on = String(on);
    return [button];
  }

  // ---- own rendering --------------------------------------------------------------------------

  private run(action: ShortcutAction): void {
    switch (action) {
      case 'mic':
        return this.hooks.toggleMic();
      case 'camera':
        return this.hooks.toggleCamera();
      case 'hand':
        if (this.me) this.hooks.send({ type: 'hand', raised: this.me.hand === null });
        return;
      case 'chat':
        return this.hooks.togglePanel('chat');
      case 'people':
        return this.hooks.togglePanel('participants');
      case 'layout':
        this.layout = this.layout === 'gallery' ? 'speaker' : 'gallery';
        this.render();
        return this.hooks.relayout();
      case 'help':
        return this.shortcuts.open();
    }
  }

  private render(): void {
    const me = this.me;
    const moderator = !!me && me.role !== 'participant';
    const raised = me?.hand !== null && me?.hand !== undefined;
    paintTool(this.handButton, raised ? t('hand.lower') : t('hand.raise'), ICONS.hand);
    this.handButton.dataset.on = String(raised);
    this.handButton.setAttribute('aria-pressed', String(raised));
    paintTool(this.reactButton, t('react.open'), ICONS.smile, t('react.label'));
    paintTool(this.inviteButton, t('invite.open'), ICONS.invite, t('invite.openLabel'));
    paintTool(this.hostButton, t('hostTools.open'), ICONS.star);
    this.hostButton.hidden = !moderator;
    paintTool(this.moreButton, t('more.open'), ICONS.more, t('more.label'));
    this.layoutButton.textContent = this.layout === 'gallery' ? t('view.speaker') : t('view.gallery');
    this.layoutButton.dataset.layout = this.layout;
    this.selfButton.textContent = this.selfHidden ? t('view.showSelf') : t('view.hideSelf');
    this.selfButton.dataset.on = String(this.selfHidden);
    this.helpButton.textContent = t('shortcuts.open');
    this.knocksCard.render(this.knocks, moderator);

    // Hands in the order they went up: the host sees who was first.
    const all = me ? [me, ...this.roster] : this.roster;
    const order = all.filter((p) => p.hand !== null).sort((a, b) => a.hand! - b.hand!);
    for (const p of all) {
      const local = p.participantId === me?.participantId;
      const el = local ? this.hooks.localTileEl() : this.hooks.tileEl(p.participantId);
      if (!el) continue;
      const place = order.findIndex((x) => x.participantId === p.participantId);
      paintTileMarks(el, p, place >= 0 ? place + 1 : null, local ? null : { pinned: this.pinned === p.participantId, toggle: () => this.togglePin(p.participantId) });
      if (local) el.hidden = this.selfHidden;
    }
  }

  private togglePin(participantId: string): void {
    this.pinned = this.pinned === participantId ? null : participantId;
    this.render();
    this.hooks.relayout();
  }

  private onMutedLevel(level: number): void {
    if (this.hooks.media.micOn || !this.hintTrack) return;
    if (this.hintDetector.update(level, performance.now()) && this.hintDetector.speaking) {
      this.mutedHint.textContent = t('mutedHint');
      this.mutedHint.hidden = false;
      window.clearTimeout(this.mutedHintTimer);
      this.mutedHintTimer = window.setTimeout(() => this.hideMutedHint(), 5000);
    }
  }

  private hideMutedHint(): void {
    window.clearTimeout(this.mutedHintTimer);
    this.mutedHint.hidden = true;
  }

  dispose(): void {
    this.offShortcuts();
    this.timer.dispose();
    this.hintMonitor.close();
    this.hintTrack?.stop();
    window.clearTimeout(this.mutedHintTimer);
    this.confirm.dispose();
    this.hostTools.dispose();
    this.invite.dispose();
    this.reactions.dispose();
    this.shortcuts.dispose();
    if (this.more.open) this.more.close();
  }
}

function toolButton(testid: string): HTMLButtonElement {
  return h('button', { type: 'button', class: 'tool-btn', 'data-testid': testid });
}

function menuButton(testid: string): HTMLButtonElement {
  return h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': testid });
}

/** The caption names the button (so speech input can say what is shown); the longer label is its tooltip. */
function paintTool(button: HTMLButtonElement, caption: string, glyph: string, label = caption): void {
  button.replaceChildren(icon(glyph), h('span', { class: 'btn-caption' }, caption));
  button.title = label;
}

function smallButton(testid: string, text: string, label: string, onclick: () => void): HTMLButtonElement {
  return h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': testid, 'aria-label': label, onclick }, text);
}
