import type { Ring } from './account';
import { h, icon } from './dom';
import { ICONS } from './icons';
import './incoming-call.css';
import { t } from './i18n/i18n.js';

/** Takes the prompt of a call down (answered on another page). */
export function dismissIncomingCall(conferenceId: string): void {
  document.querySelector(`[data-ring="${CSS.escape(conferenceId)}"]`)?.remove();
}

/**
 * The incoming-call prompt: shown over whatever page is open, until the person answers. Join opens
 * the meeting link; Decline tells the server (attendStatus 4) and closes the prompt.
 */
export function showIncomingCall(ring: Ring, onDecline: (conferenceId: string) => Promise<void>): void {
  dismissIncomingCall(ring.conferenceId);
  const join = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'ring-join' }, t('ring.join'));
  const decline = h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'ring-decline' }, t('ring.decline'));
  const prompt = h(
    'div',
    { class: 'ring-prompt', role: 'alertdialog', 'aria-labelledby': 'ring-title', 'data-testid': 'incoming-call', 'data-ring': ring.conferenceId },
    h('div', { class: 'ring-glyph' }, icon(ICONS.camera)),
    h('div', { class: 'ring-text' }, h('p', { id: 'ring-title', class: 'ring-title' }, t('ring.calling', { name: ring.inviter })), h('p', { class: 'ring-meeting' }, ring.title)),
    h('div', { class: 'ring-actions' }, decline, join),
  );
  join.addEventListener('click', () => {
    location.href = ring.joinPath;
  });
  decline.addEventListener('click', () => {
    decline.disabled = true;
    void onDecline(ring.conferenceId).finally(() => prompt.remove());
  });
  document.body.append(prompt);
  join.focus();
}
