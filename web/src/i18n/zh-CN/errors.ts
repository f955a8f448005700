import type { errors as en } from '../en/errors.js';
import type { Translation } from '../types.js';

export const errors: Translation<typeof en> = {
  'error.badRequest': '请输入 11 位会议号和会议密码。',
  'error.badCredentials': '会议号或密码错误。',
  'error.linkInvalid': '会议链接无效或已过期。',
  'error.meetingEnded': '会议已结束。',
  'error.removed': '你已被主持人移出会议。',
  'error.meetingLocked': '会议已锁定，新成员无法加入。请联系主持人解锁。',
  'error.internalOnly': '该会议仅限本组织成员加入。',
  'error.meetingCancelled': '该会议已被发起人取消。',
  'error.notOpenYet': '会议尚未开放：开始前 15 分钟起可以加入。',
  'error.tooManyAttempts': '错误次数过多，请稍后再试。',
  'error.network': '无法连接会议服务器，请检查网络后重试。',
  'error.unknown': '出了点问题，请重试。',
  'error.ticketInvalid': '你的入会凭证已失效，请重新加入。',
  'error.badName': '请输入 1 到 64 个字符的名字。',
  'error.meetingFull': '会议人数已满，请等有人离开后再试。',
  'error.serverFull': '服务器当前已满，请几分钟后再试。',
  'error.rateLimited': '发送过于频繁，部分内容未送达。',
  'error.badMessage': '请求无法识别。',
  'error.internal': '出了点问题，请重试。',
  'error.serverClosing': '服务器正在重启，请稍后重新加入。',
  'error.notHost': '只有主持人或联席主持人可以执行此操作。',
};
