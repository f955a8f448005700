/**
 * What the voice menu says, in Chinese then English (one recording each, played in that order).
 * `npm run build:prompts` (tools/make-prompts.ts) speaks them with espeak-ng at build time into
 * dist/prompts/<name>.pcm: 8 kHz 16-bit mono, the G.711 rate, so a call only encodes them.
 */
export const PROMPT_TEXTS = {
  welcome: ['欢迎使用 vconf 电话入会。请输入会议号，以井号键结束。', 'Welcome to vconf. Please enter the meeting code, followed by the pound key.'],
  passcode: ['请输入会议密码，以井号键结束。', 'Please enter the meeting passcode, followed by the pound key.'],
  wrong: ['会议号或密码不正确。请重新输入会议号，以井号键结束。', 'That meeting code or passcode is not correct. Please enter the meeting code again, followed by the pound key.'],
  tooManyTries: ['输入错误次数过多。再见。', 'Too many wrong attempts. Goodbye.'],
  blocked: ['这个号码尝试次数过多，请稍后再拨。再见。', 'Too many attempts from this number. Please call again later. Goodbye.'],
  notStarted: ['会议尚未开始，请稍后再拨。再见。', 'This meeting has not started yet. Please call again later. Goodbye.'],
  locked: ['会议已锁定，无法加入。再见。', 'This meeting is locked. Nobody new can join. Goodbye.'],
  full: ['会议人数已满，请稍后再拨。再见。', 'This meeting is full. Please call again later. Goodbye.'],
  ended: ['会议已结束。再见。', 'This meeting has ended. Goodbye.'],
  removed: ['您已被主持人移出会议。再见。', 'You were removed from this meeting by the host. Goodbye.'],
  internalOnly: ['本会议仅限组织内成员参加。再见。', 'This meeting is only open to members of the organization. Goodbye.'],
  busy: ['服务器繁忙，请稍后再拨。再见。', 'The server is busy. Please call again later. Goodbye.'],
  joining: ['正在加入会议。', 'Joining the meeting.'],
  joiningHost: ['正在以主持人身份加入会议。', 'Joining the meeting as the host.'],
  muted: ['您已静音。按星号键和6取消静音。', 'You are muted. Press star six to unmute.'],
  unmuted: ['您已取消静音。', 'You are unmuted.'],
  noInput: ['没有收到输入。再见。', 'No input was received. Goodbye.'],
} as const satisfies Record<string, readonly [string, string]>;

export type PromptName = keyof typeof PROMPT_TEXTS;
