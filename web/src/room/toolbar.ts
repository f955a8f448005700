import { paintToggle } from '../controls';
import { h, icon } from '../dom';
import { ICONS } from '../icons';
import './toolbar.css';

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
  private readonly peopleCount = h('span', { class: 'tool-count', 'aria-hidden': 'true' });
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
    this.people.append(icon(ICONS.people), caption('People'), this.peopleCount);
    this.chat.append(icon(ICONS.chat), caption('Chat'), this.unread);
    this.settings.append(icon(ICONS.settings), caption('Settings'));
    this.settings.setAttribute('aria-label', 'Audio and video settings');
    this.settings.title = 'Audio and video settings';
    this.leave.append(icon(ICONS.leave), caption('Leave'));
    this.leave.setAttribute('aria-label', 'Leave the meeting');
    this.leave.title = 'Leave the meeting';
    this.end.append(icon(ICONS.end), caption('End for all'));
    this.end.setAttribute('aria-label', 'End the meeting for everyone');
    this.end.title = 'End the meeting for everyone';
    this.screen.hidden = !canShareScreen;

    this.el = h(
      'footer',
      { class: 'toolbar', role: 'group', 'aria-label': 'Meeting controls' },
      h('div', { class: 'toolbar-group' }, this.mic, this.camera, this.screen),
      h('div', { class: 'toolbar-group' }, this.people, this.chat, this.settings),
      h('div', { class: 'toolbar-group toolbar-exit' }, this.leave, this.end),
    );
  }

  render(state: ToolbarState): void {
    paintToggle(this.mic, { on: state.micOn, unavailable: !state.micAvailable, what: 'microphone', onIcon: ICONS.mic, offIcon: ICONS.micOff, caption: state.micOn ? 'Mute' : 'Unmute' });
    const micLocked = state.micLocked && !state.micOn;
    this.mic.dataset.locked = String(micLocked);
    if (micLocked) {
      this.mic.disabled = true;
      this.mic.setAttribute('aria-label', 'The host has muted you; you can’t unmute yourself');
      this.mic.title = 'The host has muted you; you can’t unmute yourself';
    }
    paintToggle(this.camera, { on: state.cameraOn, unavailable: !state.cameraAvailable, what: 'camera', onIcon: ICONS.camera, offIcon: ICONS.cameraOff, caption: state.cameraOn ? 'Stop video' : 'Start video' });
    this.screen.replaceChildren(icon(state.sharing ? ICONS.screenStop : ICONS.screen), caption(state.sharing ? 'Stop sharing' : 'Share'));
    this.screen.dataset.on = String(state.sharing);
    this.screen.classList.toggle('is-active', state.sharing);
    const screenLabel = state.sharing ? 'Stop sharing your screen' : state.shareBlocked ? 'The host has turned off screen sharing' : 'Share your screen';
    this.screen.disabled = state.shareBlocked && !state.sharing;
    this.screen.setAttribute('aria-label', screenLabel);
    this.screen.title = screenLabel;

    this.peopleCount.textContent = String(state.participantCount);
    this.people.setAttribute('aria-label', `Participants (${state.participantCount})`);
    this.people.title = 'Participants';
    this.people.setAttribute('aria-expanded', String(state.panel === 'participants'));
    this.people.classList.toggle('is-active', state.panel === 'participants');

    this.unread.hidden = state.unread === 0;
    this.unread.textContent = state.unread > 99 ? '99+' : String(state.unread);
    this.chat.setAttribute('aria-label', state.unread ? `Chat (${state.unread} unread)` : 'Chat');
    this.chat.title = 'Chat';
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
