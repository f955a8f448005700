import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { brand } from './brand';
import type { Page } from './page';
import './status.css';

export type StatusKind = 'ended' | 'removed' | 'invalid-link' | 'left' | 'replaced' | 'error' | 'locked' | 'restricted' | 'cancelled' | 'not-open';

interface StatusOptions {
  /** Overrides the default explanation (e.g. the server's message). */
  message?: string;
  /** For "left": go back into the same meeting. */
  onRejoin?: () => void;
}

const TEXT: Record<StatusKind, { heading: string; body: string; glyph: string }> = {
  ended: { heading: 'This meeting has ended', body: 'The meeting is over. Thanks for joining.', glyph: ICONS.end },
  removed: {
    heading: 'You were removed from this meeting',
    body: 'The host removed you from the meeting. You can’t rejoin it from this browser.',
    glyph: ICONS.remove,
  },
  'invalid-link': {
    heading: 'This meeting link is invalid or has expired',
    body: 'Check that you have the whole link, or join with the room code and passcode instead.',
    glyph: ICONS.link,
  },
  left: { heading: 'You left the meeting', body: 'You can rejoin while the meeting is still running.', glyph: ICONS.leave },
  replaced: {
    heading: 'You joined from another tab',
    body: 'This meeting is open in another tab or window. Use it there, or continue here instead.',
    glyph: ICONS.link,
  },
  error: { heading: 'Something went wrong', body: 'The meeting could not be opened. Please try again.', glyph: ICONS.alert },
  locked: {
    heading: 'This meeting is locked',
    body: 'The host has locked the meeting, so nobody new can join. Ask the host to unlock it, then try again.',
    glyph: ICONS.alert,
  },
  cancelled: {
    heading: 'This meeting was cancelled',
    body: 'The organizer cancelled this booked meeting, so its link no longer opens it.',
    glyph: ICONS.end,
  },
  'not-open': {
    heading: 'This meeting has not opened yet',
    body: 'A booked meeting opens 15 minutes before its start time. Try again then.',
    glyph: ICONS.alert,
  },
  restricted: {
    heading: 'This meeting is for the organization only',
    body: 'Only members of the organization that holds this meeting can join it.',
    glyph: ICONS.alert,
  },
};

/** Full-page end states; each carries data-testid="page-<kind>". */
export function statusPage(kind: StatusKind, options: StatusOptions = {}): Page {
  const text = TEXT[kind];
  const heading = h('h1', { tabindex: '-1' }, text.heading);
  const actions = h('div', { class: 'status-actions' });
  if (options.onRejoin) {
    const label = kind === 'replaced' ? 'Use here' : kind === 'locked' || kind === 'restricted' || kind === 'not-open' ? 'Try again' : 'Rejoin';
    actions.append(h('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'rejoin-button', onclick: options.onRejoin }, label));
  }
  actions.append(
    h('a', { class: options.onRejoin ? 'btn btn-secondary' : 'btn btn-primary', href: '/join', 'data-testid': 'join-another' }, kind === 'invalid-link' ? 'Join with a room code' : 'Join another meeting'),
  );
  const el = h(
    'main',
    { class: `page page-status status-${kind}`, 'data-testid': `page-${kind}` },
    h('header', { class: 'page-header' }, brand()),
    h(
      'section',
      { class: 'card status-card', role: kind === 'left' || kind === 'replaced' ? undefined : 'alert' },
      h('div', { class: 'status-glyph' }, icon(text.glyph)),
      heading,
      h('p', { class: 'status-body', 'data-testid': 'status-message' }, options.message ?? text.body),
      actions,
    ),
  );
  return { el, title: text.heading, focus: heading };
}
