import { icon } from './dom';
import { t } from './i18n/i18n.js';

const LABELS = {
  mic: { none: () => t('room.tool.micNone'), on: () => t('room.tool.micOn'), off: () => t('room.tool.micOff') },
  camera: { none: () => t('room.tool.cameraNone'), on: () => t('room.tool.cameraOn'), off: () => t('room.tool.cameraOff') },
};

/**
 * Paints an on/off media button. A captioned button is named by its caption ("Mute"), which is
 * what people see and say to voice control; its tooltip says what a press does. An icon-only
 * button is named by that sentence. `data-on` carries the state for styling and tests.
 */
export function paintToggle(
  button: HTMLButtonElement,
  state: { on: boolean; unavailable?: boolean; what: 'mic' | 'camera'; onIcon: string; offIcon: string; caption?: string },
): void {
  const { on, unavailable = false, what } = state;
  const label = LABELS[what][unavailable ? 'none' : on ? 'off' : 'on']();
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
  if (state.caption) button.removeAttribute('aria-label');
  else button.setAttribute('aria-label', label);
  button.title = label;
}
