import { h, hueFor, icon, initials } from '../dom';
import { ICONS } from '../icons';
import type { Participant, QualityLevel } from '../../../src/protocol/room.js';
import { t } from '../i18n/i18n.js';
import './tile.css';

/**
 * One participant's tile. The <video> element lives as long as the tile (tests and the browser's
 * decoder keep hold of it); a camera that is off shows a name tile over it instead.
 */
const QUALITY_WORDS = { 0: 'unknown', 1: 'poor', 2: 'fair', 3: 'good' } as const;

export class Tile {
  readonly el: HTMLElement;
  readonly video: HTMLVideoElement;
  private readonly avatar: HTMLElement;
  private readonly nameEl: HTMLElement;
  private readonly micIndicator: HTMLElement;
  private readonly hostBadge: HTMLElement;
  private readonly quality: HTMLElement;
  /** A caller on the telephone: their tile says so (their name is the masked number). */
  private readonly phoneBadge: HTMLElement;
  private track: MediaStreamTrack | null = null;

  constructor(readonly participantId: string, readonly local: boolean) {
    this.video = h('video', { autoplay: true, playsinline: true, class: local ? 'tile-video mirrored' : 'tile-video' });
    // Remote audio plays through a separate <audio>; the video element itself is always silent.
    this.video.muted = true;
    this.avatar = h('div', { class: 'tile-avatar', 'aria-hidden': 'true' });
    this.avatar.style.setProperty('--hue', String(hueFor(participantId)));
    this.nameEl = h('span', { class: 'tile-name' });
    this.micIndicator = h('span', { class: 'tile-mic', 'data-testid': 'mic-indicator', role: 'img' });
    // Three bars from the server's measurement of this person's connection (src/rtc/stats); hidden until measured.
    this.quality = h(
      'span',
      { class: 'tile-quality', 'data-testid': 'quality-indicator', 'data-quality': 'unknown', role: 'img', hidden: true },
      h('i', { class: 'bar' }),
      h('i', { class: 'bar' }),
      h('i', { class: 'bar' }),
    );
    this.hostBadge = h('span', { class: 'tile-host', title: t('room.tile.host'), hidden: true }, icon(ICONS.host, 'icon icon-sm'));
    this.phoneBadge = h('span', { class: 'tile-phone', 'data-testid': 'phone-badge', role: 'img', hidden: true }, icon(ICONS.phone, 'icon icon-sm'));
    this.el = h(
      'div',
      {
        class: 'tile',
        'data-testid': 'participant-tile',
        'data-participant-id': participantId,
        'data-local': String(local),
        'data-speaking': 'false',
        role: 'group',
      },
      this.video,
      this.avatar,
      h('div', { class: 'tile-label' }, this.micIndicator, this.phoneBadge, this.nameEl, this.hostBadge, this.quality),
    );
  }

  update(participant: Participant, cameraVisible: boolean): void {
    const name = participant.name || t('room.guest');
    this.nameEl.textContent = this.local ? t('room.nameYou', { name }) : name;
    this.el.setAttribute('aria-label', this.local ? t('room.tile.you', { name }) : name);
    this.avatar.replaceChildren(h('span', {}, initials(name)));
    this.hostBadge.hidden = participant.role === 'participant';
    this.hostBadge.title = participant.role === 'cohost' ? t('room.tile.cohost') : t('room.tile.host');
    const muted = !participant.mic;
    this.micIndicator.dataset.muted = String(muted);
    this.micIndicator.setAttribute('aria-label', muted ? t('room.tile.micOff') : t('room.tile.micOn'));
    this.micIndicator.replaceChildren(icon(muted ? ICONS.micOff : ICONS.mic, 'icon icon-sm'));
    this.el.dataset.camera = cameraVisible ? 'on' : 'off';
    const phone = participant.source === 'phone';
    this.phoneBadge.hidden = !phone;
    this.phoneBadge.setAttribute('aria-label', t('room.tile.phone'));
    this.el.dataset.source = phone ? 'phone' : 'browser';
  }

  setTrack(track: MediaStreamTrack | null): void {
    if (track === this.track) return;
    this.track = track;
    this.video.srcObject = track ? new MediaStream([track]) : null;
    if (track) void this.video.play().catch(() => undefined);
  }

  setQuality(level: QualityLevel): void {
    const word = QUALITY_WORDS[level];
    this.quality.dataset.quality = word;
    this.quality.dataset.level = String(level);
    this.quality.hidden = level === 0;
    if (level !== 0) this.quality.setAttribute('aria-label', t(`room.quality.${word as 'good' | 'fair' | 'poor'}`));
  }

  setSpeaking(speaking: boolean): void {
    this.el.dataset.speaking = String(speaking);
  }

  remove(): void {
    this.video.srcObject = null;
    this.el.remove();
  }
}
