import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { t } from '../i18n/i18n.js';
import './room-dialogs.css';

export type ShortcutAction = 'mic' | 'camera' | 'hand' | 'chat' | 'people' | 'layout' | 'help';

/** The room's keyboard shortcuts: one table for the key handler and the help dialog. */
export const SHORTCUTS: ReadonlyArray<{ key: string; action: ShortcutAction; text: 'shortcuts.mic' | 'shortcuts.camera' | 'shortcuts.hand' | 'shortcuts.chat' | 'shortcuts.people' | 'shortcuts.layout' | 'shortcuts.help' }> = [
  { key: 'm', action: 'mic', text: 'shortcuts.mic' },
  { key: 'v', action: 'camera', text: 'shortcuts.camera' },
  { key: 'h', action: 'hand', text: 'shortcuts.hand' },
  { key: 'c', action: 'chat', text: 'shortcuts.chat' },
  { key: 'p', action: 'people', text: 'shortcuts.people' },
  { key: 'l', action: 'layout', text: 'shortcuts.layout' },
  { key: '?', action: 'help', text: 'shortcuts.help' },
];

/**
 * Listens for the shortcuts on the whole page. Plain keys, as long as no text field has the focus
 * and no modifier is held, so typing in the chat and the browser's own shortcuts are untouched.
 */
export function listenForShortcuts(run: (action: ShortcutAction) => void): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || event.defaultPrevented) return;
    const target = event.target as HTMLElement | null;
    if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
    if (document.querySelector('dialog[open]') && event.key !== '?') return;
    const shortcut = SHORTCUTS.find((s) => s.key === event.key.toLowerCase() || s.key === event.key);
    if (!shortcut) return;
    event.preventDefault();
    run(shortcut.action);
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}

/** The help dialog listing every shortcut. */
export class ShortcutsDialog {
  readonly el: HTMLDialogElement;

  constructor() {
    this.el = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'shortcuts-title', 'data-testid': 'shortcuts-dialog' },
      h('header', { class: 'panel-header' }, h('h2', { class: 'panel-title', id: 'shortcuts-title' }, t('shortcuts.title')), h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('shortcuts.close'), onclick: () => this.el.close() }, icon(ICONS.close))),
      h(
        'div',
        { class: 'dialog-body' },
        h(
          'dl',
          { class: 'shortcut-list' },
          ...SHORTCUTS.flatMap((s) => [h('dt', { 'data-testid': 'shortcut-key' }, h('kbd', {}, s.key.toUpperCase())), h('dd', { 'data-testid': 'shortcut-row', 'data-action': s.action }, t(s.text))]),
        ),
      ),
    );
    this.el.addEventListener('click', (event) => {
      if (event.target === this.el) this.el.close();
    });
  }

  open(): void {
    if (!this.el.open) this.el.showModal();
  }

  dispose(): void {
    if (this.el.open) this.el.close();
  }
}
