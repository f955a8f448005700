import type { common as en } from '../en/common.js';
import type { Translation } from '../types.js';

export const common: Translation<typeof en> = {
  'common.home': 'vconf 首页',
  'common.language': '语言',
};
