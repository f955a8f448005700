import { h, hueFor, initials } from '../dom';
import './stage.css';
import { t } from '../i18n/i18n.js';

export type SpotlightContent = { participantId: string; name: string; local: boolean; track: MediaStreamTrack | null } | null;

/**
 * The focused participant, large, for everyone (the Focus control). It uses the stage's place and
 * look; a shared screen takes precedence over it.
 */
export class Spotlight {
  readonly el: HTMLElement;
  readonly video: HTMLVideoElement;
  private readonly avatar: HTMLElement;
  private readonly caption: HTMLElement;
  private track: MediaStreamTrack | null = null;

  constructor() {
    this.video = h('video', { class: 'stage-video', autoplay: true, playsinline: true });
    // Sound comes from the participant's <audio>; this is a second view of their camera.
    this.video.muted = true;
    this.avatar = h('div', { class: 'spotlight-avatar', 'aria-hidden': 'true' });
    this.caption = h('div', { class: 'stage-caption' });
    this.el = h('section', { class: 'stage spotlight', 'data-testid': 'spotlight', hidden: true }, this.video, this.avatar, this.caption);
  }

  show(content: SpotlightContent): void {
    this.el.hidden = !content;
    if (!content) {
      this.setTrack(null);
      delete this.el.dataset.participantId;
      return;
    }
    const name = content.name || t('room.guest');
    this.el.dataset.participantId = content.participantId;
    this.el.dataset.local = String(content.local);
    this.el.setAttribute('aria-label', content.local ? t('room.spotlight.labelYou') : t('room.spotlight.label', { name }));
    this.caption.textContent = content.local ? t('room.spotlight.you') : t('room.spotlight.caption', { name });
    this.video.classList.toggle('mirrored', content.local);
    this.video.hidden = !content.track;
    this.avatar.hidden = !!content.track;
    this.avatar.style.setProperty('--hue', String(hueFor(content.participantId)));
    this.avatar.textContent = initials(name);
    this.setTrack(content.track);
  }

  /** The remote participant whose camera is shown large now, if any. */
  get remoteShown(): string | null {
    return !this.el.hidden && this.track && this.el.dataset.local === 'false' ? (this.el.dataset.participantId ?? null) : null;
  }

  private setTrack(track: MediaStreamTrack | null): void {
    if (track === this.track) return;
    this.track = track;
    this.video.srcObject = track ? new MediaStream([track]) : null;
    if (track) void this.video.play().catch(() => undefined);
  }
}
