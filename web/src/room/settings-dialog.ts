import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { devicePickers, type DevicePickers } from '../media/devices-ui';
import type { LocalMedia } from '../media/local-media';
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
        h('h2', { class: 'panel-title', id: 'settings-title' }, 'Audio and video'),
        h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close settings', onclick: () => this.el.close() }, icon(ICONS.close)),
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
    this.content.replaceChildren(this.pickers.el);
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
