import type { KnockInfo } from '../../../src/protocol/room.js';
import { h } from '../dom';
import { formatTime, t } from '../i18n/i18n.js';
import './room-dialogs.css';

/** For hosts and co-hosts: the people waiting at the door, each with Admit and Deny. */
export class KnocksCard {
  readonly el: HTMLElement;
  private readonly heading = h('h2', { id: 'knocks-title' });
  private readonly list = h('ul', { class: 'knock-list', 'data-testid': 'knock-list', role: 'list' });

  constructor(private readonly answer: (knockId: string, admit: boolean) => void) {
    this.el = h('section', { class: 'knock-card', 'aria-labelledby': 'knocks-title', role: 'region', hidden: true, 'data-testid': 'knocks' }, this.heading, this.list);
  }

  render(knocks: KnockInfo[], canAnswer: boolean): void {
    this.el.hidden = !canAnswer || knocks.length === 0;
    this.heading.textContent = t('knocks.title', { count: knocks.length });
    this.list.replaceChildren(
      ...knocks.map((k) =>
        h(
          'li',
          { class: 'knock-row', 'data-testid': 'knock-row', 'data-knock-id': k.knockId },
          h('span', { class: 'knock-name', title: t('knocks.waitingSince', { time: formatTime(k.at) }) }, k.name),
          h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'deny-knock', 'aria-label': t('knocks.denyLabel', { name: k.name }), onclick: () => this.answer(k.knockId, false) }, t('knocks.deny')),
          h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'admit-knock', 'aria-label': t('knocks.admitLabel', { name: k.name }), onclick: () => this.answer(k.knockId, true) }, t('knocks.admit')),
        ),
      ),
    );
  }
}

/** What a knocker sees while waiting at the door. */
export function waitingScreen(onLeave: () => void): HTMLElement {
  return h(
    'section',
    { class: 'waiting-screen', 'data-testid': 'page-waiting', role: 'status', hidden: true },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('h1', {}, t('waiting.title')),
    h('p', {}, t('waiting.body')),
    h('div', {}, h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'waiting-leave', onclick: onLeave }, t('waiting.leave'))),
  );
}
