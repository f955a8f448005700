import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { CHAT_MAX, type ChatMessage } from '../../../src/protocol/room.js';
import './chat-panel.css';
import { formatTime, t } from '../i18n/i18n.js';

/** In-meeting chat: history, a composer (Enter sends, Shift+Enter breaks the line). */
export class ChatPanel {
  readonly body: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly empty: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private myId = '';

  constructor(send: (text: string) => boolean) {
    this.list = h('ol', { class: 'chat-list', 'aria-live': 'polite', 'aria-relevant': 'additions', 'data-testid': 'chat-messages' });
    this.empty = h('p', { class: 'chat-empty' }, t('room.chat.empty'));
    this.input = h('textarea', {
      class: 'input chat-input',
      rows: '1',
      maxlength: String(CHAT_MAX),
      placeholder: t('room.chat.placeholder'),
      'aria-label': t('room.chat.input'),
      'data-testid': 'chat-input',
    });
    const sendButton = h('button', { type: 'submit', class: 'icon-btn chat-send', 'aria-label': t('room.chat.send'), 'data-testid': 'chat-send' }, icon(ICONS.send));
    const form = h('form', { class: 'chat-form' }, this.input, sendButton);
    const submit = () => {
      const text = this.input.value.trim();
      if (!text) return;
      if (send(text.slice(0, CHAT_MAX))) {
        this.input.value = '';
        this.autosize();
      }
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    this.input.addEventListener('input', () => this.autosize());
    this.body = h('div', { class: 'panel-body chat' }, h('div', { class: 'chat-scroll' }, this.empty, this.list), form);
  }

  setMe(participantId: string): void {
    this.myId = participantId;
  }

  reset(messages: ChatMessage[]): void {
    this.list.replaceChildren();
    for (const message of messages) this.add(message);
    this.empty.hidden = messages.length > 0;
  }

  add(message: ChatMessage): void {
    const mine = message.participantId === this.myId;
    const time = formatTime(message.at);
    const scroller = this.list.parentElement;
    const atBottom = !scroller || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    this.list.append(
      h(
        'li',
        { class: mine ? 'chat-msg is-mine' : 'chat-msg', 'data-testid': 'chat-message', 'data-participant-id': message.participantId },
        h('div', { class: 'chat-meta' }, h('span', { class: 'chat-author' }, mine ? t('room.you') : message.name || t('room.guest')), h('time', { datetime: new Date(message.at).toISOString() }, time)),
        h('p', { class: 'chat-text' }, message.text),
      ),
    );
    this.empty.hidden = true;
    if (scroller && (atBottom || mine)) scroller.scrollTop = scroller.scrollHeight;
  }

  focus(): void {
    this.input.focus();
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 120)}px`;
  }
}
