import { h, icon } from '../dom';
import { ICONS } from '../icons';
import './notices.css';

/** Short-lived toasts, announced politely to screen readers. */
export class Notices {
  readonly el = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });

  show(text: string, options: { tone?: 'info' | 'warn'; ms?: number } = {}): void {
    const toast = h(
      'div',
      { class: `notice notice-${options.tone ?? 'info'}`, 'data-testid': 'notice' },
      options.tone === 'warn' ? icon(ICONS.alert, 'icon icon-sm') : null,
      h('span', {}, text),
    );
    this.el.append(toast);
    while (this.el.children.length > 3) this.el.firstElementChild?.remove();
    window.setTimeout(() => toast.remove(), options.ms ?? 5000);
  }
}
