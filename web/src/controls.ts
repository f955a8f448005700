import { icon } from './dom';

/**
 * Paints an on/off media button. The accessible name says what a press will do; `data-on` carries
 * the state for styling and tests.
 */
export function paintToggle(
  button: HTMLButtonElement,
  state: { on: boolean; unavailable?: boolean; what: string; onIcon: string; offIcon: string; caption?: string },
): void {
  const { on, unavailable = false, what } = state;
  const label = unavailable ? `No ${what} available` : on ? `Turn off ${what}` : `Turn on ${what}`;
  const glyph = icon(on ? state.onIcon : state.offIcon);
  if (state.caption) {
    const caption = document.createElement('span');
    caption.className = 'btn-caption';
    caption.textContent = state.caption;
    button.replaceChildren(glyph, caption);
  } else {
    button.replaceChildren(glyph);
  }
  button.classList.toggle('is-off', !on);
  button.dataset.on = String(on);
  button.disabled = unavailable;
  button.setAttribute('aria-label', label);
  button.title = label;
}
