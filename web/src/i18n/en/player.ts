/** The recording player page (/recordings/<mediaId>/play). */
export const player = {
  'player.title': 'Meeting recording',
  'player.download': 'Download MP4',
  'player.failed': 'This recording cannot be played (the link may have expired).',
  'player.unsupported': 'This browser cannot play recordings; download the MP4 instead.',
} as const;
