import { h, icon } from '../dom';
import { ICONS } from '../icons';
import './stage.css';
import { t } from '../i18n/i18n.js';

export type StageContent =
  | { kind: 'remote'; participantId: string; name: string; track: MediaStreamTrack }
  | { kind: 'local'; participantId: string }
  | null;

/** The large area that shows a shared screen to everyone. */
export class Stage {
  readonly el: HTMLElement;
  readonly video: HTMLVideoElement;
  private readonly caption: HTMLElement;
  private readonly localCard: HTMLElement;
  private track: MediaStreamTrack | null = null;

  constructor(onStopSharing: () => void) {
    this.video = h('video', { class: 'stage-video', autoplay: true, playsinline: true });
    this.video.muted = true;
    this.caption = h('div', { class: 'stage-caption' });
    // The sharer sees a card, not their own screen: a mirror of a screen inside itself helps nobody.
    this.localCard = h(
      'div',
      { class: 'stage-local' },
      icon(ICONS.screen, 'icon icon-xl'),
      h('p', { class: 'stage-local-title' }, t('room.stage.youShare')),
      h('p', { class: 'stage-local-sub' }, t('room.stage.everyoneSees')),
      h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'stop-sharing-button', onclick: onStopSharing }, t('room.stage.stop')),
    );
    this.el = h('section', { class: 'stage', 'data-testid': 'screen-share', 'aria-label': t('room.stage.label'), hidden: true }, this.video, this.localCard, this.caption);
  }

  show(content: StageContent): void {
    this.el.hidden = !content;
    if (!content) {
      this.setTrack(null);
      delete this.el.dataset.participantId;
      return;
    }
    this.el.dataset.participantId = content.participantId;
    this.el.dataset.local = String(content.kind === 'local');
    this.localCard.hidden = content.kind !== 'local';
    this.video.hidden = content.kind !== 'remote';
    this.caption.hidden = content.kind !== 'remote';
    if (content.kind === 'remote') {
      this.caption.textContent = t('room.stage.presenting', { name: content.name || t('room.guest') });
      this.el.setAttribute('aria-label', t('room.stage.sharedBy', { name: content.name || t('room.aGuest') }));
      this.setTrack(content.track);
    } else {
      this.setTrack(null);
    }
  }

  private setTrack(track: MediaStreamTrack | null): void {
    if (track === this.track) return;
    this.track = track;
    this.video.srcObject = track ? new MediaStream([track]) : null;
    if (track) void this.video.play().catch(() => undefined);
  }
}
