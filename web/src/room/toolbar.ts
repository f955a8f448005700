import { paintToggle } from '../controls';
import { h, icon } from '../dom';
import { ICONS } from '../icons';
import './toolbar.css';
import { t } from '../i18n/i18n.js';

export interface ToolbarActions {
  toggleMic(): void;
  toggleCamera(): void;
  toggleScreen(): void;
  togglePanel(panel: 'participants' | 'chat'): void;
  openSettings(): void;
  leave(): void;
  end(): void;
}

export interface ToolbarState {
  micOn: boolean;
  micAvailable: boolean;
  /** A forced mute: the host has not allowed this person to unmute. */
  micLocked: boolean;
  cameraOn: boolean;
  cameraAvailable: boolean;
  sharing: boolean;
  /** The host banned screen sharing for participants. */
  shareBlocked: boolean;
  panel: 'participants' | 'chat' | null;
  participantCount: number;
  unread: number;
  isHost: boolean;
  ending: boolean;
}

/** Screen sharing needs getDisplayMedia, which phones do not have. */
export const canShareScreen = !!navigator.mediaDevices && 'getDisplayMedia' in navigator.mediaDevices;

/** The meeting controls along the bottom. */
export class Toolbar {
  readonly el: HTMLElement;
  private readonly mic = button('mic-toggle', 'tool-btn');
  private readonly camera = button('camera-toggle', 'tool-btn');
  private readonly screen = button('screen-share-toggle', 'tool-btn');
  private readonly people = button('participants-toggle', 'tool-btn');
  private readonly chat = button('chat-toggle', 'tool-btn');
  private readonly settings = button('settings-button', 'tool-btn');
  private readonly leave = button('leave-button', 'tool-btn tool-leave');
  private readonly end = button('end-meeting-button', 'tool-btn tool-end');
  private readonly peopleCount = h('span', { class: 'tool-count' });
  private readonly unread = h('span', { class: 'badge', 'data-testid': 'chat-unread', hidden: true });

  constructor(actions: ToolbarActions) {
    this.mic.addEventListener('click', actions.toggleMic);
    this.camera.addEventListener('click', actions.toggleCamera);
    this.screen.addEventListener('click', actions.toggleScreen);
    this.people.addEventListener('click', () => actions.togglePanel('participants'));
    this.chat.addEventListener('click', () => actions.togglePanel('chat'));
    this.settings.addEventListener('click', actions.openSettings);
    this.leave.addEventListener('click', actions.leave);
    this.end.addEventListener('click', actions.end);

    this.people.setAttribute('aria-controls', 'room-panel');
    this.chat.setAttribute('aria-controls', 'room-panel');
    this.people.append(icon(ICONS.people), caption(t('room.tool.people')), this.peopleCount);
    this.chat.append(icon(ICONS.chat), caption(t('room.tool.chat')), this.unread);
    this.settings.append(icon(ICONS.settings), caption(t('room.tool.settings')));
    // Captioned buttons are named by their captions (visible, or read only on phones); tooltips say more.
    this.settings.title = t('room.tool.settingsLabel');
    this.leave.append(icon(ICONS.leave), caption(t('room.tool.leave')));
    this.leave.title = t('room.tool.leaveLabel');
    this.end.append(icon(ICONS.end), caption(t('room.tool.end')));
    this.end.title = t('room.tool.endLabel');
    this.screen.hidden = !canShareScreen;

    this.el = h(
      'footer',
      { class: 'toolbar', role: 'group', 'aria-label': t('room.tool.group') },
      h('div', { class: 'toolbar-group' }, this.mic, this.camera, this.screen),
      h('div', { class: 'toolbar-group' }, this.people, this.chat, this.settings),
      h('div', { class: 'toolbar-group toolbar-exit' }, this.leave, this.end),
    );
  }

  render(state: ToolbarState): void {
    paintToggle(this.mic, { on: state.micOn, unavailable: !state.micAvailable, what: 'mic', onIcon: ICONS.mic, offIcon: ICONS.micOff, caption: state.micOn ? t('room.tool.mute') : t('room.tool.unmute') });
    const micLocked = state.micLocked && !state.micOn;
    this.mic.dataset.locked = String(micLocked);
    if (micLocked) {
      this.mic.disabled = true;
      this.mic.title = t('room.tool.micLocked');
    }
    paintToggle(this.camera, { on: state.cameraOn, unavailable: !state.cameraAvailable, what: 'camera', onIcon: ICONS.camera, offIcon: ICONS.cameraOff, caption: state.cameraOn ? t('room.tool.stopVideo') : t('room.tool.startVideo') });
    this.screen.replaceChildren(icon(state.sharing ? ICONS.screenStop : ICONS.screen), caption(state.sharing ? t('room.tool.stopSharing') : t('room.tool.share')));
    this.screen.dataset.on = String(state.sharing);
    this.screen.classList.toggle('is-active', state.sharing);
    const screenLabel = state.sharing ? t('room.tool.stopShareLabel') : state.shareBlocked ? t('room.tool.shareBlocked') : t('room.tool.shareLabel');
    this.screen.disabled = state.shareBlocked && !state.sharing;
    this.screen.title = screenLabel;

    this.peopleCount.textContent = String(state.participantCount);
    this.people.title = t('room.tool.peopleLabel', { count: state.participantCount });
    this.people.setAttribute('aria-expanded', String(state.panel === 'participants'));
    this.people.classList.toggle('is-active', state.panel === 'participants');

    this.unread.hidden = state.unread === 0;
    this.unread.textContent = state.unread > 99 ? '99+' : String(state.unread);
    this.chat.title = state.unread ? t('room.tool.chatUnread', { count: state.unread }) : t('room.tool.chat');
    this.chat.setAttribute('aria-expanded', String(state.panel === 'chat'));
    this.chat.classList.toggle('is-active', state.panel === 'chat');

    this.end.hidden = !state.isHost;
    this.end.disabled = state.ending;
  }
}

function button(testid: string, className: string): HTMLButtonElement {
  return h('button', { type: 'button', class: className, 'data-testid': testid });
}

function caption(text: string): HTMLElement {
  return h('span', { class: 'btn-caption' }, text);
}
