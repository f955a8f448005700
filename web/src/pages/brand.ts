import { h, icon } from '../dom';
import { ICONS } from '../icons';
import { t } from '../i18n/i18n.js';

export { formatRoomCode, normalizeDigits } from '../format';

export function brand(): HTMLElement {
  return h('a', { class: 'brand', href: '/join', 'aria-label': t('common.home') }, icon(ICONS.logo, 'brand-mark'), h('span', {}, 'vconf'));
}
