import type { Me } from '../account';
import { h } from '../dom';
import { formatRoomCode } from '../format';
import { brand } from './brand';
import type { Page } from './page';
import './join.css';
import './me.css';

const ATTEND: Record<number, string> = { 1: 'Not joined', 2: 'Calling you', 3: 'In the meeting', 4: 'Declined', 5: 'Removed', 6: 'Left' };

/** "My meetings": the signed-in user's ongoing meetings with Join buttons, and their bookings. */
export function mePage(me: Me, onSignOut: () => void): Page {
  const ongoing = me.meetings.ongoing;
  const booked = me.meetings.booked ?? [];
  const signOut = h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'signout' }, 'Sign out');
  signOut.addEventListener('click', onSignOut);
  const row = (title: string, meta: string, href: string, testid: string) =>
    h('li', { class: 'meeting-row', 'data-testid': testid }, h('div', {}, h('p', { class: 'meeting-row-title' }, title), h('p', { class: 'hint' }, meta)), h('a', { class: 'btn btn-primary btn-small', href }, 'Join'));
  const el = h(
    'main',
    { class: 'page page-join', 'data-testid': 'page-me' },
    h('header', { class: 'page-header' }, brand(), h('span', { class: 'me-name' }, me.name), signOut),
    h(
      'section',
      { class: 'card me-card' },
      h('h1', {}, 'My meetings'),
      ongoing.length === 0
        ? h('p', { class: 'lead', 'data-testid': 'no-meetings' }, 'No meetings are going on for you right now.')
        : h(
            'ul',
            { class: 'meeting-list' },
            ongoing.map((m) =>
              row(m.title, `${m.isOrganizer ? 'You organize' : `Organized by ${m.organizer}`} · ${formatRoomCode(m.roomCode)}${m.attendStatus ? ` · ${ATTEND[m.attendStatus] ?? ''}` : ''}`, m.joinPath, 'ongoing-meeting'),
            ),
          ),
      booked.length > 0 ? h('h2', {}, 'Booked') : null,
      booked.length > 0
        ? h('ul', { class: 'meeting-list' }, booked.map((b) => row(b.title, `${new Date(b.startTime).toLocaleString()} · ${formatRoomCode(b.roomCode)}`, b.joinPath, 'booked-meeting')))
        : null,
    ),
  );
  return { el, title: 'My meetings · vconf' };
}
