import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { brand } from './brand';
import type { Page } from './page';
import { t } from '../i18n/i18n.js';
import { languagePicker } from './language-picker';
import './status.css';

export type StatusKind = 'ended' | 'removed' | 'invalid-link' | 'left' | 'replaced' | 'error' | 'locked' | 'restricted' | 'cancelled' | 'not-open';

interface StatusOptions {
  /** Overrides the default explanation (e.g. the server's message). */
  message?: string;
  /** For "left": go back into the same meeting. */
  onRejoin?: () => void;
}

const GLYPH: Record<StatusKind, string> = {
  ended: ICONS.end,
  removed: ICONS.remove,
  'invalid-link': ICONS.link,
  left: ICONS.leave,
  replaced: ICONS.link,
  error: ICONS.alert,
  locked: ICONS.alert,
  cancelled: ICONS.end,
  'not-open': ICONS.alert,
  restricted: ICONS.alert,
};

/** Full-page end states; each carries data-testid="page-<kind>". */
export function statusPage(kind: StatusKind, options: StatusOptions = {}): Page {
  const text = { heading: t(`status.${kind}.heading`), body: t(`status.${kind}.body`) };
  const heading = h('h1', { tabindex: '-1' }, text.heading);
  const actions = h('div', { class: 'status-actions' });
  if (options.onRejoin) {
    const label = kind === 'replaced' ? t('status.useHere') : kind === 'locked' || kind === 'restricted' || kind === 'not-open' ? t('status.tryAgain') : t('status.rejoin');
    actions.append(h('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'rejoin-button', onclick: options.onRejoin }, label));
  }
  actions.append(
    h('a', { class: options.onRejoin ? 'btn btn-secondary' : 'btn btn-primary', href: '/join', 'data-testid': 'join-another' }, kind === 'invalid-link' ? t('status.joinWithCode') : t('status.joinAnother')),
  );
  const el = h(
    'main',
    { class: `page page-status status-${kind}`, 'data-testid': `page-${kind}` },
    h('header', { class: 'page-header' }, brand(), languagePicker({ compact: true })),
    h(
      'section',
      { class: 'card status-card', role: kind === 'left' || kind === 'replaced' ? undefined : 'alert' },
      h('div', { class: 'status-glyph' }, icon(GLYPH[kind])),
      heading,
      h('p', { class: 'status-body', 'data-testid': 'status-message' }, options.message ?? text.body),
      actions,
    ),
  );
  return { el, title: text.heading, focus: heading };
}
