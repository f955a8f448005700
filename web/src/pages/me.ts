import type { Me } from '../account';
import { h } from '../dom';
import { formatRoomCode } from '../format';
import { brand } from './brand';
import type { Page } from './page';
import './join.css';
import './me.css';
import { languagePicker } from './language-picker';
import { formatDateTime, t } from '../i18n/i18n.js';

const ATTEND = { 1: 'me.attend.1', 2: 'me.attend.2', 3: 'me.attend.3', 4: 'me.attend.4', 5: 'me.attend.5', 6: 'me.attend.6' } as const;

function attendText(status: number | null): string {
  const key = status ? ATTEND[status as keyof typeof ATTEND] : undefined;
  return key ? t(key) : '';
}

/** "My meetings": the signed-in user's ongoing meetings with Join buttons, and their bookings. */
export function mePage(me: Me, onSignOut: () => void): Page {
  const ongoing = me.meetings.ongoing;
  const booked = me.meetings.booked ?? [];
  const signOut = h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'signout' }, t('me.signOut'));
  signOut.addEventListener('click', onSignOut);
  const row = (title: string, meta: string, href: string, testid: string) =>
    h('li', { class: 'meeting-row', 'data-testid': testid }, h('div', {}, h('p', { class: 'meeting-row-title' }, title), h('p', { class: 'hint' }, meta)), h('a', { class: 'btn btn-primary btn-small', href }, t('me.join')));
  const el = h(
    'main',
    { class: 'page page-join', 'data-testid': 'page-me' },
    h('header', { class: 'page-header' }, brand(), h('span', { class: 'me-name' }, me.name), signOut, languagePicker({ compact: true })),
    h(
      'section',
      { class: 'card me-card' },
      h('h1', {}, t('me.heading')),
      ongoing.length === 0
        ? h('p', { class: 'lead', 'data-testid': 'no-meetings' }, t('me.none'))
        : h(
            'ul',
            { class: 'meeting-list' },
            ongoing.map((m) =>
              row(
                m.title,
                [m.isOrganizer ? t('me.youOrganize') : t('me.organizedBy', { name: m.organizer }), formatRoomCode(m.roomCode), attendText(m.attendStatus)].filter(Boolean).join(' · '),
                m.joinPath,
                'ongoing-meeting',
              ),
            ),
          ),
      booked.length > 0 ? h('h2', {}, t('me.booked')) : null,
      booked.length > 0
        ? h('ul', { class: 'meeting-list' }, booked.map((b) => row(b.title, `${formatDateTime(b.startTime)} · ${formatRoomCode(b.roomCode)}`, b.joinPath, 'booked-meeting')))
        : null,
    ),
  );
  return { el, title: t('me.documentTitle') };
}
