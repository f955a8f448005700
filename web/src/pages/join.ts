import { AdmitError } from '../api';
import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { normalizeDigits, ROOM_CODE_PATTERN as ROOM_CODE } from '../format';
import { brand } from './brand';
import type { Page } from './page';
import './join.css';

export interface JoinPageOptions {
  roomCode?: string;
  /** A message to show on arrival (e.g. an expired session). */
  notice?: string;
  /** Resolves when admitted (the app then moves on), rejects with AdmitError to show. */
  onSubmit(roomCode: string, passcode: string): Promise<void>;
}

/** The join page: room code + passcode (or host passcode). */
export function joinPage(options: JoinPageOptions): Page {
  const codeInput = h('input', {
    id: 'room-code',
    name: 'roomCode',
    class: 'input input-code',
    'data-testid': 'room-code-input',
    inputmode: 'numeric',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: '685 5070 8396',
    maxlength: '24',
    required: true,
    'aria-describedby': 'room-code-hint',
    value: options.roomCode ?? '',
  });
  const passInput = h('input', {
    id: 'passcode',
    name: 'passcode',
    type: 'password',
    class: 'input',
    'data-testid': 'passcode-input',
    inputmode: 'numeric',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'passcode-hint',
  });
  const reveal = h(
    'button',
    { type: 'button', class: 'input-addon', 'aria-label': 'Show passcode', 'aria-pressed': 'false' },
    'Show',
  );
  reveal.addEventListener('click', () => {
    const showing = passInput.type === 'text';
    passInput.type = showing ? 'password' : 'text';
    reveal.textContent = showing ? 'Show' : 'Hide';
    reveal.setAttribute('aria-pressed', String(!showing));
    reveal.setAttribute('aria-label', showing ? 'Show passcode' : 'Hide passcode');
  });
  const button = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'join-button' }, 'Join');
  const error = h('div', { class: 'form-message', 'data-testid': 'join-error', role: 'alert', 'aria-live': 'assertive' });
  if (options.notice) showMessage(error, options.notice, 'info');

  const form = h(
    'form',
    { class: 'join-form', novalidate: true, 'aria-labelledby': 'join-heading' },
    h('div', { class: 'field' }, h('label', { for: 'room-code' }, 'Room code'), codeInput, h('p', { id: 'room-code-hint', class: 'hint' }, 'The 11-digit code from your invitation.')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'passcode' }, 'Passcode'),
      h('div', { class: 'input-group' }, passInput, reveal),
      h('p', { id: 'passcode-hint', class: 'hint' }, 'Hosts: enter the host passcode to run the meeting.'),
    ),
    error,
    button,
  );

  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    const roomCode = normalizeDigits(codeInput.value);
    const passcode = normalizeDigits(passInput.value);
    if (!ROOM_CODE.test(roomCode) || passcode === '') {
      showMessage(error, 'Enter the 11-digit room code and the passcode.', 'error');
      (ROOM_CODE.test(roomCode) ? passInput : codeInput).focus();
      return;
    }
    busy = true;
    button.disabled = true;
    button.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Joining…');
    showMessage(error, '', 'error');
    options
      .onSubmit(roomCode, passcode)
      .catch((e: unknown) => {
        const failure = e instanceof AdmitError ? e : new AdmitError(0, 'unknown', 'Something went wrong. Please try again.');
        showMessage(error, failure.message, 'error', retryLine(failure.retryAfterSeconds));
        passInput.select();
        passInput.focus();
      })
      .finally(() => {
        busy = false;
        button.disabled = false;
        button.replaceChildren('Join');
      });
  });

  const heading = h('h1', { id: 'join-heading' }, 'Join a meeting');
  const el = h(
    'main',
    { class: 'page page-join', 'data-testid': 'page-join' },
    h('header', { class: 'page-header' }, brand()),
    h(
      'section',
      { class: 'card join-card' },
      h('div', { class: 'card-glyph' }, icon(ICONS.camera)),
      heading,
      h('p', { class: 'lead' }, 'Enter the room code and passcode from your meeting invitation.'),
      form,
    ),
    h('footer', { class: 'page-footer' }, 'Got a meeting link? Open it directly — no code needed. ', h('a', { href: '/signin', 'data-testid': 'signin-link' }, 'Sign in'), ' to see your meetings.'),
  );
  return { el, title: 'Join a meeting · vconf', focus: options.roomCode ? passInput : codeInput };
}

function showMessage(el: HTMLElement, text: string, tone: 'error' | 'info', detail?: string): void {
  el.dataset.tone = tone;
  el.replaceChildren();
  if (!text) return;
  el.append(icon(tone === 'error' ? ICONS.alert : ICONS.check), h('div', {}, h('p', {}, text), detail ? h('p', { class: 'form-message-detail' }, detail) : null));
}

/** "You can try again at 14:32." for the rate-limit answer. */
function retryLine(retryAfterSeconds: number | undefined): string | undefined {
  if (!retryAfterSeconds) return undefined;
  const at = new Date(Date.now() + retryAfterSeconds * 1000);
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `You can try again at ${time}. A link from the meeting invitation still works meanwhile.`;
}
