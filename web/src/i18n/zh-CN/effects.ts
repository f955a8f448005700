import type { effects as en } from '../en/effects.js';
import type { Translation } from '../types.js';

export const effects: Translation<typeof en> = {
  'effects.summary': '背景与降噪',
  'effects.background': '背景',
  'effects.background.off': '无',
  'effects.background.blur': '背景虚化',
  'effects.background.dawn': '晨曦',
  'effects.background.lagoon': '湖蓝',
  'effects.background.studio': '影棚',
  'effects.status.cameraOff': '开启摄像头后生效。',
  'effects.status.loading': '正在准备虚拟背景…',
  'effects.status.failed': '此浏览器无法启用背景效果，已将整个画面虚化。',
  'effects.noise': '降噪',
  'effects.noise.hint': '滤除风扇声、键盘声等持续的噪音。',
};
