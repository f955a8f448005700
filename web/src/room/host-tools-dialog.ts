import type { ClientMessage, RoomRules } from '../../../src/protocol/room.js';
import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { t } from '../i18n/i18n.js';
import './room-dialogs.css';

/**
 * The host's meeting-wide tools: mute all (with or without self-unmute), lock, waiting room. Each
 * button sends the request; what the page shows comes back from the server as `settings`, so the
 * room and the API never disagree.
 */
export class HostToolsDialog {
  readonly el: HTMLDialogElement;
  private readonly allowSelf = h('input', { type: 'checkbox', id: 'allow-unmute-self', 'data-testid': 'allow-unmute-self', checked: true });
  private readonly muteAll = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'mute-all-button' });
  private readonly unmuteAll = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'unmute-all-button' });
  private readonly lock = h('button', { type: 'button', class: 'btn btn-secondary switch', role: 'switch', 'data-testid': 'lock-toggle' });
  private readonly waiting = h('button', { type: 'button', class: 'btn btn-secondary switch', role: 'switch', 'data-testid': 'waiting-room-toggle' });
  private readonly texts: Array<[HTMLElement, () => string]> = [];
  private rules: RoomRules | null = null;

  constructor(send: (message: ClientMessage) => void) {
    const text = (tag: 'span' | 'h2' | 'label', make: () => string, attrs: Record<string, string> = {}) => {
      const el = h(tag, attrs);
      this.texts.push([el, make]);
      return el;
    };
    this.muteAll.addEventListener('click', () => send({ type: 'mute-all', allowUnmuteSelf: this.allowSelf.checked }));
    this.unmuteAll.addEventListener('click', () => send({ type: 'unmute-all' }));
    this.lock.addEventListener('click', () => send({ type: 'lock', locked: !this.rules?.locked }));
    this.waiting.addEventListener('click', () => send({ type: 'waiting-room', on: !this.rules?.waitingRoom }));
    const closeButton = h('button', { type: 'button', class: 'icon-btn', onclick: () => this.el.close() }, icon(ICONS.close));
    this.texts.push([closeButton, () => t('hostTools.close')]);
    this.el = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'host-tools-title', 'data-testid': 'host-tools-dialog' },
      h('header', { class: 'panel-header' }, text('h2', () => t('hostTools.title'), { class: 'panel-title', id: 'host-tools-title' }), closeButton),
      h(
        'div',
        { class: 'dialog-body tool-rows' },
        h('div', { class: 'tool-row' }, h('span', { class: 'tool-row-text' }, h('span', {}, this.allowSelf, ' ', text('label', () => t('hostTools.allowUnmuteSelf'), { for: 'allow-unmute-self' })))),
        h('div', { class: 'tool-row' }, this.muteAll, this.unmuteAll),
        h('div', { class: 'tool-row' }, h('span', { class: 'tool-row-text' }, text('span', () => t('hostTools.lock')), text('span', () => t('hostTools.lockHint'), { class: 'tool-row-hint' })), this.lock),
        h(
          'div',
          { class: 'tool-row' },
          h('span', { class: 'tool-row-text' }, text('span', () => t('hostTools.waitingRoom')), text('span', () => t('hostTools.waitingRoomHint'), { class: 'tool-row-hint' })),
          this.waiting,
        ),
      ),
    );
    this.el.addEventListener('click', (event) => {
      if (event.target === this.el) this.el.close();
    });
    this.render();
  }

  open(): void {
    this.render();
    this.el.showModal();
  }

  setRules(rules: RoomRules): void {
    this.rules = rules;
    this.render();
  }

  private render(): void {
    for (const [el, make] of this.texts) {
      if (el instanceof HTMLButtonElement) el.setAttribute('aria-label', make());
      else el.textContent = make();
    }
    this.muteAll.textContent = t('hostTools.muteAll');
    this.unmuteAll.textContent = t('hostTools.unmuteAll');
    this.unmuteAll.disabled = !this.rules?.muteAll && this.rules?.allowUnmuteSelf !== false;
    paintSwitch(this.lock, !!this.rules?.locked, t('hostTools.lock'));
    paintSwitch(this.waiting, !!this.rules?.waitingRoom, t('hostTools.waitingRoom'));
  }

  dispose(): void {
    if (this.el.open) this.el.close();
  }
}

function paintSwitch(button: HTMLButtonElement, on: boolean, label: string): void {
  button.dataset.on = String(on);
  button.setAttribute('aria-checked', String(on));
  button.setAttribute('aria-label', label);
  button.textContent = on ? t('hostTools.on') : t('hostTools.off');
}
