import { SignInError } from '../account';
import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { brand } from './brand';
import type { Page } from './page';
import './join.css';

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
  const button = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'signin-button' }, 'Sign in');
  const say = (text: string, tone: 'error' | 'info') => {
    message.dataset.tone = tone;
    message.replaceChildren(...(text ? [icon(tone === 'error' ? ICONS.alert : ICONS.check), h('div', {}, h('p', {}, text))] : []));
  };
  if (options.notice) say(options.notice, 'info');

  const form = h(
    'form',
    { class: 'join-form', novalidate: true, 'aria-labelledby': 'signin-heading' },
    h('div', { class: 'field' }, h('label', { for: 'union-id' }, 'User id'), user),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    h('div', { class: 'field' }, h('label', { for: 'corp-id' }, 'Organization id (optional)'), corp, h('p', { class: 'hint' }, 'Only needed if you belong to several organizations.')),
    message,
    button,
  );
  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    if (!user.value.trim() || !password.value) return say('Enter your user id and password.', 'error');
    busy = true;
    button.disabled = true;
    say('', 'error');
    const corpId = corp.value.trim();
    options
      .onSubmit({ unionId: user.value.trim(), password: password.value, ...(corpId ? { corpId } : {}) })
      .catch((e: unknown) => {
        say(e instanceof SignInError ? e.message : 'Sign-in failed. Please try again.', 'error');
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
    h('header', { class: 'page-header' }, brand()),
    h('section', { class: 'card join-card' }, h('h1', { id: 'signin-heading' }, 'Sign in'), h('p', { class: 'lead' }, 'Sign in to see your meetings and to be called into them.'), form),
    h('footer', { class: 'page-footer' }, h('a', { href: '/join' }, 'Join a meeting with a room code instead')),
  );
  return { el, title: 'Sign in · vconf', focus: user };
}
