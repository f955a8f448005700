import { h, icon } from '../dom';
import { ICONS } from '../icons';

export { formatRoomCode, normalizeDigits } from '../format';

export function brand(): HTMLElement {
  return h('a', { class: 'brand', href: '/join', 'aria-label': 'vconf home' }, icon(ICONS.logo, 'brand-mark'), h('span', {}, 'vconf'));
}
