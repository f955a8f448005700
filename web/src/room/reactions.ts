import { REACTIONS, type Participant } from '../../../src/protocol/room.js';
import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { t } from '../i18n/i18n.js';
import './room-dialogs.css';
import './tile-marks.css';

/** The reaction picker: the fixed set the server accepts. */
export class ReactionPicker {
  readonly el: HTMLDialogElement;

  constructor(send: (emoji: string) => void) {
    this.el = h(
      'dialog',
      { class: 'dialog reaction-dialog', 'aria-label': t('react.label'), 'data-testid': 'reaction-picker' },
      h(
        'div',
        { class: 'dialog-body reaction-picker' },
        ...REACTIONS.map((emoji) =>
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-secondary',
              'data-testid': 'reaction-option',
              'data-emoji': emoji,
              'aria-label': t('react.send', { emoji }),
              onclick: () => {
                send(emoji);
                this.el.close();
              },
            },
            emoji,
          ),
        ),
      ),
    );
    this.el.addEventListener('click', (event) => {
      if (event.target === this.el) this.el.close();
    });
  }

  open(): void {
    if (!this.el.open) this.el.showModal();
  }

  dispose(): void {
    if (this.el.open) this.el.close();
  }
}

/**
 * What the tiles show beyond media: a raised hand with its place in the queue, "reconnecting", a
 * reaction floating for a few seconds, and the pin button (a local choice of whom to show large).
 */
export function paintTileMarks(tileEl: HTMLElement, p: Participant, handOrder: number | null, pin: { pinned: boolean; toggle: () => void } | null): void {
  tileEl.dataset.reconnecting = String(p.reconnecting);
  let hand = tileEl.querySelector<HTMLElement>(':scope > .tile-hand');
  if (handOrder !== null) {
    if (!hand) {
      hand = h('span', { class: 'tile-hand', 'data-testid': 'hand-indicator', role: 'img' });
      tileEl.append(hand);
    }
    hand.dataset.order = String(handOrder);
    hand.replaceChildren(icon(ICONS.hand, 'icon icon-sm'), String(handOrder));
    hand.setAttribute('aria-label', t('hand.raised', { order: handOrder }));
  } else hand?.remove();
  let reconnecting = tileEl.querySelector<HTMLElement>(':scope > .tile-reconnecting');
  if (p.reconnecting) {
    if (!reconnecting) {
      reconnecting = h('span', { class: 'tile-reconnecting', 'data-testid': 'tile-reconnecting' });
      tileEl.append(reconnecting);
    }
    reconnecting.textContent = t('tile.reconnecting');
  } else reconnecting?.remove();
  let pinButton = tileEl.querySelector<HTMLButtonElement>(':scope > .tile-pin');
  if (pin) {
    if (!pinButton) {
      pinButton = h('button', { type: 'button', class: 'tile-pin', 'data-testid': 'pin-tile' });
      tileEl.append(pinButton);
    }
    pinButton.onclick = pin.toggle;
    pinButton.dataset.on = String(pin.pinned);
    pinButton.textContent = pin.pinned ? t('pin.unpin') : t('pin.pin');
    const name = p.name || t('room.guest');
    pinButton.setAttribute('aria-label', pin.pinned ? t('pin.unpinLabel', { name }) : t('pin.pinLabel', { name }));
    tileEl.dataset.pinned = String(pin.pinned);
  } else pinButton?.remove();
}

/** A reaction floating over a tile for four seconds. */
export function floatReaction(tileEl: HTMLElement | undefined, participantId: string, emoji: string): void {
  if (!tileEl) return;
  const bubble = h('span', { class: 'tile-reaction', 'data-testid': 'reaction', 'data-participant-id': participantId, 'data-emoji': emoji, role: 'img', 'aria-label': emoji }, emoji);
  tileEl.append(bubble);
  window.setTimeout(() => bubble.remove(), 4000);
}
