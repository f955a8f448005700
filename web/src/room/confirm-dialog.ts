import { h } from '../dom';
import { t } from '../i18n/i18n.js';
import './room-dialogs.css';

export interface ConfirmRequest {
  title: string;
  body: string;
  action: string;
}

/**
 * Asks before an action that cannot be undone (remove someone, end for all): the first click only
 * opens this dialog; the action runs when it is confirmed. Cancel is focused first, so Enter alone
 * never confirms.
 */
export class ConfirmDialog {
  readonly el: HTMLDialogElement;
  private readonly title = h('h2', { class: 'panel-title', id: 'confirm-title' });
  private readonly body = h('p', { class: 'confirm-body' });
  private readonly accept = h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'confirm-accept' });
  private readonly cancel = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'confirm-cancel' });
  private settle: ((ok: boolean) => void) | null = null;

  constructor() {
    this.el = h(
      'dialog',
      { class: 'dialog confirm-dialog', 'aria-labelledby': 'confirm-title', 'data-testid': 'confirm-dialog' },
      h('div', { class: 'dialog-body' }, this.title, this.body, h('div', { class: 'dialog-actions' }, this.cancel, this.accept)),
    );
    this.accept.addEventListener('click', () => this.close(true));
    this.cancel.addEventListener('click', () => this.close(false));
    this.el.addEventListener('close', () => this.close(false));
  }

  ask(request: ConfirmRequest): Promise<boolean> {
    this.close(false);
    this.title.textContent = request.title;
    this.body.textContent = request.body;
    this.accept.textContent = request.action;
    this.cancel.textContent = t('confirm.cancel');
    this.el.showModal();
    this.cancel.focus();
    return new Promise((resolve) => (this.settle = resolve));
  }

  private close(ok: boolean): void {
    const settle = this.settle;
    this.settle = null;
    if (this.el.open) this.el.close();
    settle?.(ok);
  }

  dispose(): void {
    this.close(false);
  }
}
