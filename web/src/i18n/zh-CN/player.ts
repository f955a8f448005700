import type { player as en } from '../en/player.js';
import type { Translation } from '../types.js';

export const player: Translation<typeof en> = {
  'player.title': '会议录制',
  'player.download': '下载 MP4',
  'player.failed': '无法播放此录制（链接可能已过期）。',
  'player.unsupported': '此浏览器无法播放录制，请下载 MP4。',
};
