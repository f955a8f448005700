import { h, hueFor, icon, initials } from '../dom';
import { ICONS } from '../icons';
import type { Participant } from '../../../src/protocol/room.js';
import './participants-panel.css';
import { t } from '../i18n/i18n.js';

export interface ParticipantsPanelActions {
  mute(participantId: string): void;
  remove(participantId: string): void;
  /** More host controls for a row (co-host, spotlight, lower hand). */
  extra?(participant: Participant): HTMLElement[];
}

/** The roster with mic/camera indicators; hosts and co-hosts also get Mute and Remove per participant. */
export class ParticipantsPanel {
  readonly body: HTMLElement;
  private readonly list: HTMLUListElement;

  constructor(private readonly actions: ParticipantsPanelActions) {
    this.list = h('ul', { class: 'roster', 'data-testid': 'participant-list' });
    this.body = h('div', { class: 'panel-body' }, this.list);
  }

  render(me: Participant, others: Participant[]): void {
    const rank = (p: Participant) => (p.role === 'host' ? 2 : p.role === 'cohost' ? 1 : 0);
    const sorted = [...others].sort((a, b) => rank(b) - rank(a) || a.name.localeCompare(b.name));
    // A co-host moderates everyone but the host (the server enforces the same).
    const canModerate = (p: Participant) => me.role === 'host' || (me.role === 'cohost' && p.role !== 'host');
    this.list.replaceChildren(this.row(me, true, false), ...sorted.map((p) => this.row(p, false, canModerate(p))));
  }

  private row(p: Participant, isMe: boolean, canModerate: boolean): HTMLLIElement {
    const avatar = h('span', { class: 'roster-avatar', 'aria-hidden': 'true' }, initials(p.name));
    avatar.style.setProperty('--hue', String(hueFor(p.participantId)));
    const name = h(
      'span',
      { class: 'roster-name' },
      p.source === 'phone' ? h('span', { class: 'roster-phone', 'data-testid': 'participant-phone', role: 'img', 'aria-label': t('room.tile.phone') }, icon(ICONS.phone, 'icon icon-sm')) : null,
      h('span', { class: 'roster-name-text' }, p.name || t('room.guest')),
      isMe ? h('span', { class: 'roster-sub' }, t('room.people.you')) : null,
      p.role === 'host' ? h('span', { class: 'chip chip-host chip-sm' }, t('room.tile.host')) : null,
      p.role === 'cohost' ? h('span', { class: 'chip chip-cohost chip-sm', 'data-testid': 'cohost-chip' }, t('room.tile.cohost')) : null,
    );
    const mic = h(
      'span',
      { class: `roster-state${p.mic ? '' : ' is-off'}`, role: 'img', 'aria-label': p.mic ? t('room.tile.micOn') : t('room.tile.micOff'), 'data-testid': 'participant-mic', 'data-muted': String(!p.mic) },
      icon(p.mic ? ICONS.mic : ICONS.micOff, 'icon icon-sm'),
    );
    const cam = h(
      'span',
      { class: `roster-state${p.camera ? '' : ' is-off'}`, role: 'img', 'aria-label': p.camera ? t('room.people.cameraOn') : t('room.people.cameraOff'), 'data-testid': 'participant-camera', 'data-on': String(p.camera) },
      icon(p.camera ? ICONS.camera : ICONS.cameraOff, 'icon icon-sm'),
    );
    const who = p.name || t('room.people.this');
    const actions = canModerate
      ? h(
          'span',
          { class: 'roster-actions' },
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-small btn-secondary',
              'data-testid': 'mute-participant',
              'aria-label': t('room.people.muteLabel', { name: who }),
              disabled: !p.mic,
              onclick: () => this.actions.mute(p.participantId),
            },
            t('room.people.mute'),
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-small btn-danger-quiet',
              'data-testid': 'remove-participant',
              'aria-label': t('room.people.removeLabel', { name: who }),
              onclick: () => this.actions.remove(p.participantId),
            },
            t('room.people.remove'),
          ),
          ...(this.actions.extra?.(p) ?? []),
        )
      : null;
    return h(
      'li',
      { class: 'roster-row', 'data-testid': 'participant-row', 'data-participant-id': p.participantId, 'data-local': String(isMe) },
      avatar,
      name,
      h('span', { class: 'roster-states' }, p.screen ? h('span', { class: 'roster-state', role: 'img', 'aria-label': t('room.people.sharing') }, icon(ICONS.screen, 'icon icon-sm')) : null, mic, cam),
      actions,
    );
  }
}
