import { SignInError } from '../account';
import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { brand } from './brand';
import type { Page } from './page';
import './join.css';
import { languagePicker } from './language-picker';
import { signInErrorText } from '../i18n/errors.js';
import { t } from '../i18n/i18n.js';

export interface SignInPageOptions {
  notice?: string;
  onSubmit(fields: { corpId?: string; unionId: string; password: string }): Promise<void>;
}

/** Sign-in of directory users: user id and password; the organization only for people in several. */
export function signInPage(options: SignInPageOptions): Page {
  const user = h('input', { id: 'union-id', name: 'unionId', class: 'input', autocomplete: 'username', required: true, 'data-testid': 'signin-user' });
  const password = h('input', { id: 'password', name: 'password', type: 'password', class: 'input', autocomplete: 'current-password', required: true, 'data-testid': 'signin-password' });
  const corp = h('input', { id: 'corp-id', name: 'corpId', class: 'input', autocomplete: 'organization', 'data-testid': 'signin-corp' });
  const message = h('div', { class: 'form-message', role: 'alert', 'aria-live': 'assertive', 'data-testid': 'signin-error' });
  const button = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'signin-button' }, t('signin.submit'));
  const say = (text: string, tone: 'error' | 'info') => {
    message.dataset.tone = tone;
    message.replaceChildren(...(text ? [icon(tone === 'error' ? ICONS.alert : ICONS.check), h('div', {}, h('p', {}, text))] : []));
  };
  if (options.notice) say(options.notice, 'info');

  const form = h(
    'form',
    { class: 'join-form', novalidate: true, 'aria-labelledby': 'signin-heading' },
    h('div', { class: 'field' }, h('label', { for: 'union-id' }, t('signin.user')), user),
    h('div', { class: 'field' }, h('label', { for: 'password' }, t('signin.password')), password),
    h('div', { class: 'field' }, h('label', { for: 'corp-id' }, t('signin.corp')), corp, h('p', { class: 'hint' }, t('signin.corpHint'))),
    message,
    button,
  );
  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    if (!user.value.trim() || !password.value) return say(t('signin.incomplete'), 'error');
    busy = true;
    button.disabled = true;
    say('', 'error');
    const corpId = corp.value.trim();
    options
      .onSubmit({ unionId: user.value.trim(), password: password.value, ...(corpId ? { corpId } : {}) })
      .catch((e: unknown) => {
        say(e instanceof SignInError ? signInErrorText(e) : t('signin.failed'), 'error');
        password.select();
        password.focus();
      })
      .finally(() => {
        busy = false;
        button.disabled = false;
      });
  });

  const el = h(
    'main',
    { class: 'page page-join', 'data-testid': 'page-signin' },
    h('header', { class: 'page-header' }, brand(), languagePicker({ compact: true })),
    h('section', { class: 'card join-card' }, h('h1', { id: 'signin-heading' }, t('signin.heading')), h('p', { class: 'lead' }, t('signin.lead')), form),
    h('footer', { class: 'page-footer' }, h('a', { href: '/join' }, t('signin.withCode'))),
  );
  return { el, title: t('signin.documentTitle'), focus: user };
}
