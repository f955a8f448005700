import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { devicePickers, type DevicePickers } from '../media/devices-ui';
import type { LocalMedia } from '../media/local-media';
import { rememberLocale, t } from '../i18n/i18n.js';
import { languagePicker } from '../pages/language-picker';
import './settings-dialog.css';

/** Device pickers inside the room, in a modal <dialog> (focus trapping and Esc come with it). */
export class SettingsDialog {
  readonly el: HTMLDialogElement;
  private readonly content: HTMLElement;
  private pickers: DevicePickers | null = null;

  constructor(
    private readonly media: LocalMedia,
    private readonly onSpeaker: (deviceId: string) => void,
  ) {
    this.content = h('div', { class: 'dialog-body' });
    this.el = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'settings-title', 'data-testid': 'settings-dialog' },
      h(
        'header',
        { class: 'panel-header' },
        h('h2', { class: 'panel-title', id: 'settings-title' }, t('room.settings.title')),
        h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('room.settings.close'), onclick: () => this.el.close() }, icon(ICONS.close)),
      ),
      this.content,
    );
    this.el.addEventListener('close', () => this.release());
    // A click on the backdrop (outside the dialog box) closes it.
    this.el.addEventListener('click', (event) => {
      if (event.target === this.el) this.el.close();
    });
  }

  open(): void {
    this.release();
    this.pickers = devicePickers(this.media, this.onSpeaker);
    // The room is built in one language; another one takes a reload, which rejoins as the same participant.
    const language = languagePicker({ id: 'room-language', apply: (locale) => (rememberLocale(locale), location.reload()) });
    this.content.replaceChildren(this.pickers.el, language);
    this.el.showModal();
  }

  private release(): void {
    this.pickers?.dispose();
    this.pickers = null;
  }

  dispose(): void {
    this.release();
    if (this.el.open) this.el.close();
  }
}
