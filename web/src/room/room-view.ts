import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { formatRoomCode } from '../format';
import { t } from '../i18n/i18n.js';
import { chooseGrid } from './layout';
import type { Connection } from './session.js';
import './room-view.css';

export interface RoomViewParts {
  title: string;
  roomCode: string;
  stage: HTMLElement;
  /** The focused participant, shown in the stage's place when nobody shares a screen. */
  spotlight: HTMLElement;
  toolbar: HTMLElement;
  /** The toasts: a strip of their own above the toolbar, so they never cover a name or a screen. */
  notices: HTMLElement;
  /** Invisible parts and dialogs: the audio sink, the settings dialog. */
  extras: HTMLElement[];
  onClosePanel(): void;
  onEnableSound(): void;
}

/**
 * The room's frame: header, banners, the participant area (stage + tiles) with its grid sizing, the
 * side panel, and the toolbar. It knows nothing about signaling or media.
 */
export class RoomView {
  readonly el: HTMLElement;
  readonly tiles: HTMLElement;
  private readonly area: HTMLElement;
  private readonly status = h('span', { class: 'conn-pill', 'data-testid': 'connection-status', hidden: true });
  private readonly count = h('span', { class: 'room-count' });
  private readonly locked = h('span', { class: 'lock-pill', 'data-testid': 'locked-indicator', title: t('room.header.lockedHint'), hidden: true }, t('room.header.locked'));
  private readonly reconnecting: HTMLElement;
  private readonly sound: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly panelTitle = h('h2', { class: 'panel-title', id: 'room-panel-title' });
  private readonly resizeObserver: ResizeObserver;

  constructor(parts: RoomViewParts) {
    this.tiles = h('div', { class: 'tiles', 'data-testid': 'tiles' });
    this.area = h('section', { class: 'room-area', 'aria-label': t('room.area') }, parts.stage, parts.spotlight, this.tiles);
    this.reconnecting = h(
      'div',
      { class: 'banner banner-warn', role: 'status', hidden: true, 'data-testid': 'reconnecting-banner' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      h('span', {}, t('room.banner.reconnecting')),
    );
    this.sound = h(
      'div',
      { class: 'banner', role: 'status', hidden: true },
      icon(ICONS.speaker, 'icon icon-sm'),
      h('span', {}, t('room.banner.soundPaused')),
      h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'enable-sound', onclick: parts.onEnableSound }, t('room.banner.enableSound')),
    );
    this.panel = h(
      'aside',
      { class: 'panel', id: 'room-panel', 'aria-labelledby': 'room-panel-title', hidden: true, 'data-testid': 'room-panel' },
      h(
        'header',
        { class: 'panel-header' },
        this.panelTitle,
        h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('room.panel.close'), 'data-testid': 'panel-close', onclick: parts.onClosePanel }, icon(ICONS.close)),
      ),
    );
    this.el = h(
      'div',
      { class: 'page room', 'data-testid': 'page-room' },
      h(
        'header',
        { class: 'room-header' },
        h(
          'div',
          { class: 'room-heading' },
          h('h1', { class: 'room-title' }, parts.title || t('room.untitled')),
          h('span', { class: 'room-code', title: t('room.header.code', { code: formatRoomCode(parts.roomCode) }) }, formatRoomCode(parts.roomCode)),
        ),
        h('div', { class: 'room-header-side' }, this.locked, this.status, this.count),
      ),
      this.reconnecting,
      this.sound,
      h('div', { class: 'room-body' }, h('main', { class: 'room-main' }, this.area), this.panel),
      parts.notices,
      parts.toolbar,
      ...parts.extras,
    );
    this.el.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !this.panel.hidden && this.panel.contains(document.activeElement)) parts.onClosePanel();
    });
    this.resizeObserver = new ResizeObserver(() => this.layout());
    this.resizeObserver.observe(this.area);
  }

  setConnection(connection: Connection): void {
    this.el.dataset.connection = connection;
    this.status.textContent = t('room.header.connecting');
    this.status.hidden = connection !== 'connecting';
    this.reconnecting.hidden = connection !== 'reconnecting';
  }

  setCount(people: number): void {
    this.count.textContent = t('room.header.people', { count: people });
  }

  setLocked(locked: boolean): void {
    this.locked.hidden = !locked;
  }

  setSoundBlocked(blocked: boolean): void {
    this.sound.hidden = !blocked;
  }

  /** Shows one panel body (or none); the previous body is detached, not destroyed. */
  showPanel(panel: { kind: string; title: string; body: HTMLElement } | null): void {
    this.panel.hidden = !panel;
    this.el.classList.toggle('has-panel', !!panel);
    if (panel) {
      this.panel.dataset.panel = panel.kind;
      this.panelTitle.textContent = panel.title;
      if (this.panel.lastElementChild !== panel.body) {
        this.panel.querySelector(':scope > .panel-body')?.remove();
        this.panel.append(panel.body);
      }
    }
    this.layout();
  }

  setStage(on: boolean): void {
    if (this.area.classList.contains('has-stage') === on) return;
    this.area.classList.toggle('has-stage', on);
    this.layout();
  }

  /** Sizes grid tiles to fill the area; with a shared screen, CSS lays the tiles out as a strip. */
  layout(): void {
    if (this.area.classList.contains('has-stage')) {
      this.tiles.style.removeProperty('--tile-w');
      this.tiles.style.removeProperty('--tile-h');
      return;
    }
    const width = this.tiles.clientWidth;
    const height = this.tiles.clientHeight;
    if (!width || !height) return;
    const fit = chooseGrid(Math.max(1, this.tiles.children.length), width, height);
    this.tiles.style.setProperty('--tile-w', `${fit.width}px`);
    this.tiles.style.setProperty('--tile-h', `${fit.height}px`);
  }

  dispose(): void {
    this.resizeObserver.disconnect();
  }
}
