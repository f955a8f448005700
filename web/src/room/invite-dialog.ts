import type { InviteDetails } from '../../../src/protocol/room.js';
import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { formatRoomCode } from '../format';
import { t } from '../i18n/i18n.js';
import './room-dialogs.css';

type Field = 'link' | 'roomCode' | 'passcode' | 'hostPasscode';
const LABELS: Record<Field, 'invite.link' | 'invite.roomCode' | 'invite.passcode' | 'invite.hostPasscode'> = {
  link: 'invite.link',
  roomCode: 'invite.roomCode',
  passcode: 'invite.passcode',
  hostPasscode: 'invite.hostPasscode',
};
const TESTIDS: Record<Field, string> = { link: 'invite-link', roomCode: 'invite-room-code', passcode: 'invite-passcode', hostPasscode: 'invite-host-passcode' };

/**
 * Inviting from inside the meeting: the link, the room code and the passcode, each with a copy
 * button; for hosts the host passcode too, hidden until asked for (whoever has it runs the meeting).
 */
export class InviteDialog {
  readonly el: HTMLDialogElement;
  private readonly body = h('div', { class: 'dialog-body' });
  private details: InviteDetails | null = null;
  private revealed = false;

  constructor(private readonly notify: (text: string) => void) {
    this.el = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'invite-title', 'data-testid': 'invite-dialog' },
      h('header', { class: 'panel-header' }, h('h2', { class: 'panel-title', id: 'invite-title' }, t('invite.title')), h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('invite.close'), onclick: () => this.el.close() }, icon(ICONS.close))),
      this.body,
    );
    this.el.addEventListener('click', (event) => {
      if (event.target === this.el) this.el.close();
    });
  }

  setDetails(details: InviteDetails): void {
    this.details = details;
    if (!details.hostPasscode) this.revealed = false;
    if (this.el.open) this.render();
  }

  open(): void {
    this.revealed = false;
    this.render();
    this.el.showModal();
  }

  private render(): void {
    const d = this.details;
    if (!d) return this.body.replaceChildren();
    const rows: HTMLElement[] = [this.field('link', d.link), this.field('roomCode', formatRoomCode(d.roomCode), d.roomCode), this.field('passcode', d.passcode)];
    if (d.hostPasscode) {
      if (this.revealed) rows.push(this.field('hostPasscode', d.hostPasscode), h('p', { class: 'tool-row-hint' }, t('invite.hostPasscodeHint')));
      else {
        rows.push(
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-secondary',
              'data-testid': 'show-host-passcode',
              onclick: () => {
                this.revealed = true;
                this.render();
              },
            },
            t('invite.showHostPasscode'),
          ),
        );
      }
    }
    this.body.replaceChildren(...rows);
  }

  private field(kind: Field, shown: string, copied = shown): HTMLElement {
    const label = t(LABELS[kind]);
    const id = `invite-${kind}`;
    return h(
      'div',
      { class: 'invite-field' },
      h('label', { for: id }, label),
      h(
        'div',
        { class: 'invite-value' },
        h('output', { id, 'data-testid': TESTIDS[kind] }, shown),
        h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': `copy-${TESTIDS[kind].slice('invite-'.length)}`, 'aria-label': t('invite.copyLabel', { what: label }), onclick: () => void this.copy(copied) }, t('invite.copy')),
      ),
    );
  }

  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.notify(t('invite.copied'));
    } catch {
      this.notify(t('invite.copyFailed'));
    }
  }

  dispose(): void {
    if (this.el.open) this.el.close();
  }
}

/** Time in the meeting, counted from its start on the server's clock ("12:05", "1:02:09"). */
export class MeetingTimer {
  readonly el = h('span', { class: 'room-timer', 'data-testid': 'meeting-timer', role: 'timer', 'aria-label': t('timer.label'), hidden: true });
  private timer = 0;
  private startedAt = 0;

  start(startedAt: number): void {
    this.startedAt = startedAt;
    this.el.hidden = false;
    window.clearInterval(this.timer);
    this.tick();
    this.timer = window.setInterval(() => this.tick(), 1000);
  }

  private tick(): void {
    const s = Math.max(0, Math.floor((Date.now() - this.startedAt) / 1000));
    const hh = Math.floor(s / 3600);
    const mm = Math.floor((s % 3600) / 60);
    const ss = s % 60;
    const two = (n: number) => String(n).padStart(2, '0');
    this.el.textContent = hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${two(mm)}:${two(ss)}`;
  }

  dispose(): void {
    window.clearInterval(this.timer);
  }
}
