import type { join as en } from '../en/join.js';
import type { Translation } from '../types.js';

export const join: Translation<typeof en> = {
  'join.documentTitle': '加入会议 · vconf',
  'join.heading': '加入会议',
  'join.lead': '请输入会议邀请中的会议号和密码。',
  'join.roomCode': '会议号',
  'join.roomCodeHint': '邀请中的 11 位会议号。',
  'join.passcode': '密码',
  'join.passcodeHint': '主持人请输入主持人密码以主持会议。',
  'join.show': '显示',
  'join.hide': '隐藏',
  'join.showPasscode': '显示密码',
  'join.hidePasscode': '隐藏密码',
  'join.submit': '加入',
  'join.joining': '正在加入…',
  'join.incomplete': '请输入 11 位会议号和会议密码。',
  'join.retryAt': '你可以在 {time} 后重试。在此期间，会议邀请中的链接仍然可用。',
  'join.tooManyAttempts': { other: '错误次数过多，请 {count} 分钟后再试。' },
  'join.footer': '有会议链接？直接打开即可，无需输入会议号。{link}后可查看你的会议。',
  'join.footerSignIn': '登录',
  'join.sessionExpired': '你的会话已过期，请输入密码重新加入。',
};
