import { AdmitError } from '../api';
import { h, icon, withNodes } from '../dom';
import { ICONS } from '../icons';
import { normalizeDigits, ROOM_CODE_PATTERN as ROOM_CODE } from '../format';
import { brand } from './brand';
import type { Page } from './page';
import './join.css';
import { languagePicker } from './language-picker';
import { admitErrorText } from '../i18n/errors.js';
import { formatTime, t } from '../i18n/i18n.js';

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
    { type: 'button', class: 'input-addon', 'aria-label': t('join.showPasscode'), 'aria-pressed': 'false' },
    t('join.show'),
  );
  reveal.addEventListener('click', () => {
    const showing = passInput.type === 'text';
    passInput.type = showing ? 'password' : 'text';
    reveal.textContent = showing ? t('join.show') : t('join.hide');
    reveal.setAttribute('aria-pressed', String(!showing));
    reveal.setAttribute('aria-label', showing ? t('join.showPasscode') : t('join.hidePasscode'));
  });
  const button = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'join-button' }, t('join.submit'));
  const error = h('div', { class: 'form-message', 'data-testid': 'join-error', role: 'alert', 'aria-live': 'assertive' });
  if (options.notice) showMessage(error, options.notice, 'info');

  const form = h(
    'form',
    { class: 'join-form', novalidate: true, 'aria-labelledby': 'join-heading' },
    h('div', { class: 'field' }, h('label', { for: 'room-code' }, t('join.roomCode')), codeInput, h('p', { id: 'room-code-hint', class: 'hint' }, t('join.roomCodeHint'))),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'passcode' }, t('join.passcode')),
      h('div', { class: 'input-group' }, passInput, reveal),
      h('p', { id: 'passcode-hint', class: 'hint' }, t('join.passcodeHint')),
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
      showMessage(error, t('join.incomplete'), 'error');
      (ROOM_CODE.test(roomCode) ? passInput : codeInput).focus();
      return;
    }
    busy = true;
    button.disabled = true;
    button.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('join.joining'));
    showMessage(error, '', 'error');
    options
      .onSubmit(roomCode, passcode)
      .catch((e: unknown) => {
        const failure = e instanceof AdmitError ? e : new AdmitError(0, 'unknown', '');
        showMessage(error, admitErrorText(failure), 'error', retryLine(failure.retryAfterSeconds));
        passInput.select();
        passInput.focus();
      })
      .finally(() => {
        busy = false;
        button.disabled = false;
        button.replaceChildren(t('join.submit'));
      });
  });

  const heading = h('h1', { id: 'join-heading' }, t('join.heading'));
  const el = h(
    'main',
    { class: 'page page-join', 'data-testid': 'page-join' },
    h('header', { class: 'page-header' }, brand(), languagePicker({ compact: true })),
    h(
      'section',
      { class: 'card join-card' },
      h('div', { class: 'card-glyph' }, icon(ICONS.camera)),
      heading,
      h('p', { class: 'lead' }, t('join.lead')),
      form,
    ),
    h('footer', { class: 'page-footer' }, ...withNodes(t('join.footer', { link: '{link}' }), { link: h('a', { href: '/signin', 'data-testid': 'signin-link' }, t('join.footerSignIn')) })),
  );
  return { el, title: t('join.documentTitle'), focus: options.roomCode ? passInput : codeInput };
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
  return t('join.retryAt', { time: formatTime(at) });
}
